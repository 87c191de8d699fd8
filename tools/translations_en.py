# ruff: noqa: E501  (a translation table: one pair per line reads best)
"""English for the web pages and the vocabulary they show (issue #5: Dutch first, English available).

`python tools/translations_en.py` fills src/bouwregie/locale/en/LC_MESSAGES/django.po from this table
after `makemessages -l en`; strings not in the table stay Dutch (mostly validation messages of the
command-line tools). Then compilemessages writes the .mo that is committed.
"""

import re
import sys
from pathlib import Path

EN = {
    "Gemeente": "Municipality", "naam": "name", "gemeente": "municipality", "regio": "region",
    "Projecten": "Projects", "Woningen": "Homes", "Hard": "Hard", "Onbekend": "Unknown", "Plantype": "Plan type",
    "Fase": "Phase", "Planstatus": "Plan status", "Knelpunten": "Bottlenecks", "Parallel plannen": "Parallel planning",
    "ja": "yes", "nee": "no", "Sociale huur": "Social rent", "Middenhuur": "Mid-market rent",
    "Betaalbare koop": "Affordable owner-occupied", "Vrije sector huur": "Private rent", "Dure koop": "Expensive owner-occupied",
    "1A Onherroepelijk": "1A Irrevocable", "1B Onherroepelijk met uitwerkingsplicht": "1B Irrevocable, to be elaborated",
    "1C Onherroepelijk met wijzigingsbevoegdheid": "1C Irrevocable, with power to amend", "2A Vastgesteld": "2A Adopted",
    "2B Vastgesteld met uitwerkingsplicht": "2B Adopted, to be elaborated",
    "2C Vastgesteld met wijzigingsbevoegdheid": "2C Adopted, with power to amend", "3 In voorbereiding": "3 In preparation",
    "4A Visie (potentiële locatie)": "4A Vision (potential location)", "4B Optie": "4B Option",
    "Uitleg": "Greenfield extension", "Verdichting / inbreiding": "Densification / infill", "Transformatie": "Transformation",
    "Herstructurering (sloop/nieuwbouw)": "Restructuring (demolition/new build)",
    "Functieverandering kantoren": "Conversion of offices", "Functieverandering bedrijven": "Conversion of business premises",
    "Functieverandering maatschappelijk vastgoed": "Conversion of public buildings",
    "Functieverandering detailhandel": "Conversion of retail", "Functieverandering overig": "Other conversion",
    "Optoppen / splitsen": "Adding storeys / splitting", "Flexwonen (verplaatsbaar / tijdelijk)": "Flexible (relocatable / temporary)",
    "Grondgebonden": "Ground-level", "Gestapeld (appartement)": "Stacked (apartment)",
    "Nultredenwoning (ouderen)": "Step-free home (elderly)", "Zorggeschikte woning (ouderen)": "Care-ready home (elderly)",
    "Geclusterde woonvorm (ouderen)": "Clustered housing (elderly)", "Studentenwoning": "Student housing",
    "Aandachtsgroepen": "Priority groups", "Netcongestie": "Grid congestion", "Water en bodem": "Water and soil",
    "Stikstof": "Nitrogen", "Geluid": "Noise", "Financiering (onrendabele top)": "Financing (funding gap)",
    "Capaciteit": "Capacity", "Bezwaar en beroep": "Objections and appeals", "Actief": "Active", "Gerealiseerd": "Delivered",
    "Vervallen": "Cancelled", "Niet meer in planlijst": "No longer in plan list", "Import": "Import", "Bewerking": "Edit",
    "API": "API", "Demodata": "Demo data", "Initiatief": "Initiative",
    "Principebesluit / intentieovereenkomst": "Decision in principle / letter of intent",
    "Anterieure / ontwikkelovereenkomst": "Development agreement",
    "Ontwerp-omgevingsplan ter inzage": "Draft zoning plan published", "Omgevingsplan vastgesteld": "Zoning plan adopted",
    "Omgevingsplan onherroepelijk": "Zoning plan irrevocable", "Omgevingsvergunning aangevraagd": "Permit applied for",
    "Omgevingsvergunning verleend": "Permit granted", "Financiering rond": "Financing secured",
    "Start verkoop/verhuur": "Start of sales/letting", "Start bouw": "Start of construction", "Oplevering": "Delivery",
    "nog geen mijlpaal": "no milestone yet", "plantype": "plan type", "planstatus": "plan status", "knelpunten": "bottlenecks",
    "woningen": "homes", "hard (1A–2C)": "hard (1A–2C)", "zacht (3–4B)": "soft (3–4B)", "status onbekend": "status unknown",
    "Peiling '%s' bestaat niet of is nog niet gesloten.": "Quarterly count '%s' does not exist or is not closed yet.",
    "Nederland": "The Netherlands", "Provincie %(name)s": "Province of %(name)s", "Projecten in de pijplijn": "Projects in the pipeline",
    "Plancapaciteit (woningen)": "Plan capacity (homes)", "Waarvan hard": "Of which hard",
    "%s van de plancapaciteit": "%s of plan capacity", "Betaalbaar aandeel": "Affordable share",
    "norm %s (Woontop 2024)": "norm %s (Woontop 2024)", "norm %s": "norm %s",
    "Plancapaciteit / resterende opgave": "Plan capacity / remaining task", "Gepland": "Planned",
    "Afspraak per jaar": "Agreed per year", "Opleveringen per jaar": "Deliveries per year", "Jaar": "Year",
    "Pijplijn naar fase (woningen)": "Pipeline by phase (homes)", "Pijplijn naar planstatus (woningen)": "Pipeline by plan status (homes)",
    "Pijplijn naar segment (woningen)": "Pipeline by segment (homes)", "Segment": "Segment", "Provincies": "Provinces",
    "Gemeenten": "Municipalities", "Regio's en gemeenten": "Regions and municipalities",
    "Te veel mislukte pogingen. Probeer het over %d minuten opnieuw.": "Too many failed attempts. Try again in %d minutes.",
    "Uw account hoort bij geen organisatie met inzage in projecten.": "Your account belongs to no organisation that may view projects.",
    "Ongeldige keuze: %s.": "Invalid choice: %s.", "Projectcode": "Project code", "Naam": "Name",
    "Meeste woningen": "Most homes", "Minste woningen": "Fewest homes", "Laatst bijgewerkt": "Last updated",
    "Onbekend exportformaat '%s'; kies csv of xlsx.": "Unknown export format '%s'; choose csv or xlsx.",
    "Project '%s' bestaat niet.": "Project '%s' does not exist.", "projectstatus": "project status", "fase": "phase",
    "woningen per segment": "homes per segment", "fasering": "phasing", "ligging": "location",
    "Geen toegang": "No access", "U heeft geen toegang tot deze pagina.": "You have no access to this page.",
    "Naar het dashboard": "To the dashboard", "Niet gevonden": "Not found", "Deze pagina bestaat niet.": "This page does not exist.",
    "Bouwregie": "Bouwregie", "Naar de inhoud": "Skip to content", "Hoofdmenu": "Main menu", "Dashboard": "Dashboard",
    "Ingelogd als %(name)s": "Signed in as %(name)s", "Uitloggen": "Sign out", "Inloggen": "Sign in",
    "Bouwregie — publiek-private monitor van de woningbouw. Open data: de cijfers per gebied zijn ook beschikbaar via":
        "Bouwregie — public-private monitor of housing construction. Open data: the figures per area are also available via",
    "peiling %(peiling)s": "quarterly count %(peiling)s", "Kruimelpad": "Breadcrumb", "Peiling kiezen": "Choose quarterly count",
    "Peiling": "Quarterly count", "Toon": "Show", "Projecten in dit gebied": "Projects in this area", "Kerncijfers": "Key figures",
    "gehaald": "met", "niet gehaald": "not met",
    "Afspraak %(period)s: %(total)s woningen; gerealiseerd %(realised)s, nog te gaan %(remaining)s.":
        "Agreement %(period)s: %(total)s homes; delivered %(realised)s, still to go %(remaining)s.",
    "Bron": "Source", "Grafiek: %(title)s; de tabel eronder bevat dezelfde cijfers": "Chart: %(title)s; the table below holds the same figures",
    "Tabel": "Table", "Kerncijfers per gebied, peiling %(peiling)s": "Key figures per area, quarterly count %(peiling)s",
    "Gebied": "Area", "Plancapaciteit": "Plan capacity", "Betaalbaar": "Affordable", "Capaciteit / opgave": "Capacity / task",
    "Gebruikersnaam": "User name", "Wachtwoord": "Password",
    "Regie op de woningbouw: publiek-private monitor": "Steering housing construction: public-private monitor",
    "%(provinces)s provincies en %(municipalities)s gemeenten geladen.": "%(provinces)s provinces and %(municipalities)s municipalities loaded.",
    "Nog geen gesloten peiling. Laad demodata met 'bouwregie demo' of importeer een planlijst.":
        "No closed quarterly count yet. Load demo data with 'bouwregie demo' or import a plan list.",
    "Projectstatus": "Project status", "%(n)s te slopen": "%(n)s to be demolished", "Versie": "Version",
    "Woningen per segment": "Homes per segment", "Fasering (opleveringen per jaar)": "Phasing (deliveries per year)",
    "Mijlpalen: gepland en werkelijk": "Milestones: planned and actual", "Mijlpalen": "Milestones", "Mijlpaal": "Milestone",
    "Werkelijk": "Actual", "Afwijking": "Deviation", "%(n)s woningen": "%(n)s homes",
    "verlopen, nog niet bereikt": "overdue, not reached yet", "Geen mijlpalen vastgelegd.": "No milestones recorded.",
    "Open boek (vertrouwelijk)": "Open book (confidential)", "Geschiedenis": "History",
    "Versies van dit project": "Versions of this project", "Wanneer": "When", "Door": "By", "Reden": "Reason",
    "Gewijzigd": "Changed", "eerste versie": "first version", "mijlpalen of bijzonderheden": "milestones or details",
    "Projecten zoeken en filteren": "Search and filter projects", "Zoek (naam of projectcode)": "Search (name or project code)",
    "Gebied (provincie, gemeente of code)": "Area (province, municipality or code)", "alle": "all", "Knelpunt": "Bottleneck",
    "Sorteer op": "Sort by", "Zoeken": "Search", "Exporteer": "Export", "Gevonden projecten": "Projects found",
    "Project": "Project", "Geen projecten voor deze keuze.": "No projects for this choice.", "Paginering": "Pagination",
    "Vorige": "Previous", "Pagina %(n)s van %(total)s": "Page %(n)s of %(total)s", "Volgende": "Next",
}  # fmt: skip
PLURALS = {
    "%(d)s dag later": ("%(d)s day later", "%(d)s days later"),
    "%(n)s project gevonden.": ("%(n)s project found.", "%(n)s projects found."),
}


def _unquote(lines: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', lines)).replace('\\"', '"')


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def fill(po_path: Path) -> int:
    entries, filled = po_path.read_text(encoding="utf-8").split("\n\n"), 0
    for n, entry in enumerate(entries):
        msgid = re.search(r'^msgid ((?:".*"\n)+)', entry + "\n", re.M)
        if not msgid:
            continue
        key = _unquote(msgid.group(1))
        if key in EN and "msgid_plural" not in entry:
            entry = re.sub(r'^msgstr (".*"\n?)+', "msgstr " + _quote(EN[key]), entry + "\n", flags=re.M).rstrip("\n")
            filled += 1
        elif key in PLURALS:
            one, many = PLURALS[key]
            entry = re.sub(r"^msgstr\[0\] .*$", "msgstr[0] " + _quote(one), entry, flags=re.M)
            entry = re.sub(r"^msgstr\[1\] .*$", "msgstr[1] " + _quote(many), entry, flags=re.M)
            filled += 1
        entry = entry.replace("#, fuzzy\n", "")
        entries[n] = entry
    po_path.write_text("\n\n".join(entries), encoding="utf-8")
    return filled


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "src/bouwregie/locale/en/LC_MESSAGES/django.po")
    print(f"{fill(path)} vertalingen ingevuld in {path}")
