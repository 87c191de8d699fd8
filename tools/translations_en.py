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
    # Quarterly update, jobs, map, delays, alternatives, peilingen, editing (issue #5, second part)
    "peiling": "peiling", "status": "status", "(geen)": "(none)", "Zacht": "Soft",
    "Bestandstype '%(suffix)s' wordt niet ondersteund; gebruik %(supported)s.": "File type '%(suffix)s' is not supported; use %(supported)s.",
    "Achtergrondtaken": "Background jobs", "In de wachtrij": "Queued", "Bezig": "Running", "Klaar": "Done", "Mislukt": "Failed",
    "taak": "job", "omschrijving": "description", "invoer": "input", "aangemaakt": "created", "gestart": "started", "klaar": "finished",
    "laatste teken van leven": "last sign of life", "voortgang (%)": "progress (%)", "stap": "step", "uitkomst": "outcome",
    "foutmelding": "error message", "achtergrondtaak": "background job", "achtergrondtaken": "background jobs",
    "Onverwachte fout in taak #%d; details staan in het serverlog.": "Unexpected error in job #%d; the server log has the details.",
    "Als marktpartij bij dit project mag u alleen de private mijlpalen wijzigen (%s).": "As a market party in this project you may only change the private milestones (%s).",
    "doelgroepen": "target groups", "sloop": "demolition", "parallel plannen": "parallel planning", "gepland": "planned",
    "werkelijk": "actual", "mijlpalen": "milestones", "Geef een reden voor deze wijziging.": "Give a reason for this change.",
    "afspraak": "agreement", "subsidies": "subsidies", "open boek": "open book", "coördinatenstelsel": "coordinate reference system",
    "bronvermelding": "source reference",
    "Alleen gemeenten en provincies met een bewerkersrol kunnen planlijsten uploaden.": "Only municipalities and provinces with an editor role can upload plan lists.",
    "Bestand": "File",
    "Wie de lijst levert, bijvoorbeeld ‘Provincie Utrecht’. Projecten van deze bron die in de nieuwe lijst ontbreken, worden gemarkeerd als ‘niet meer in planlijst’.": "Who delivers the list, e.g. ‘Provincie Utrecht’. Projects of this source missing from the new list are marked ‘no longer in plan list’.",
    "Kolomprofiel": "Column profile", "Werkblad of laag": "Sheet or layer",
    "Alleen nodig als het bestand er meer dan één heeft.": "Only needed when the file has more than one.",
    "Het kwartaal waarover de lijst gaat, bijvoorbeeld 2026-Q4.": "The quarter the list is about, e.g. 2026-Q4.",
    "%(types)s; een shapefile als .zip met .shp, .dbf en .prj; hooguit %(mb)s MB.": "%(types)s; a shapefile as .zip with .shp, .dbf and .prj; at most %(mb)s MB.",
    "automatisch kiezen": "choose automatically", "Het bestand is %(size)s MB; de grens is %(limit)s MB.": "The file is %(size)s MB; the limit is %(limit)s MB.",
    "Planlijst controleren: %s": "Checking plan list: %s",
    "Het geüploade bestand is niet meer hetzelfde of is verdwenen; upload het opnieuw.": "The uploaded file has changed or disappeared; upload it again.",
    "Over deze import is al besloten, of u mag er niet over beslissen.": "This import has already been decided, or you may not decide on it.",
    "Kies bevestigen of annuleren.": "Choose confirm or cancel.", "Planlijst importeren: %s": "Importing plan list: %s",
    "Deze taak is door iemand anders gestart.": "Someone else started this job.",
    "Onderbroken (de server is tijdens de taak gestopt); er is niets opgeslagen.": "Interrupted (the server stopped during the job); nothing was saved.",
    "Gerealiseerd in het vorige jaar": "Delivered in the previous year", "Gepland voor het volgende jaar": "Planned for the next year",
    "Onbekende maat '%s'.": "Unknown measure '%s'.", "Achtergrond: BRT-Achtergrondkaart, © Kadaster (PDOK)": "Background: BRT-Achtergrondkaart, © Kadaster (PDOK)",
    "geen gegevens": "no data", "Open de pagina": "Open the page", "Nog geen gesloten peiling.": "No closed peiling yet.",
    "Kies een provincie, regio of gemeente.": "Choose a province, region or municipality.",
    "Alleen de beheerder van het platform sluit een peiling (zij geldt voor heel het land).": "Only the platform administrator closes a peiling (it applies to the whole country).",
    "Vink aan dat u begrijpt dat sluiten onomkeerbaar is.": "Tick the box to confirm that closing cannot be undone.",
    "Peiling %(code)s is gesloten met %(n)d projecten.": "Peiling %(code)s is closed with %(n)d projects.",
    "%(milestone)s: %(was)s → %(now)s (%(months)s maanden later)": "%(milestone)s: %(was)s → %(now)s (%(months)s months later)",
    "%(homes)d woningen later opgeleverd (gemiddeld jaar %(was)s → %(now)s)": "%(homes)d homes delivered later (average year %(was)s → %(now)s)",
    "planstatus teruggevallen van %(was)s naar %(now)s": "plan status fell back from %(was)s to %(now)s", "uit de pijplijn (%s)": "left the pipeline (%s)",
    "Er zijn nog geen twee gesloten peilingen om te vergelijken.": "There are not yet two closed peilingen to compare.",
    "Kies twee gesloten peilingen.": "Choose two closed peilingen.",
    "De drempel is een aantal maanden, bijvoorbeeld 3 of 1,5; niet '%s'.": "The threshold is a number of months, e.g. 3 or 1.5; not '%s'.",
    "Het jaar": "The year", "Het tekort": "The shortfall", "Kies een gesloten peiling.": "Choose a closed peiling.",
    "%(label)s moet een heel getal van 0 of meer zijn, niet '%(text)s'.": "%(label)s must be a whole number of 0 or more, not '%(text)s'.",
    "U mag dit project niet bewerken.": "You may not edit this project.",
    "Iemand anders heeft dit project intussen gewijzigd (nu versie %d). Uw wijziging is niet opgeslagen; open het formulier opnieuw.": "Someone else changed this project in the meantime (now version %d). Your change was not saved; open the form again.",
    "U mag geen projecten naar deze gemeente verplaatsen.": "You may not move projects to this municipality.",
    "Niets gewijzigd; er is geen nieuwe versie gemaakt.": "Nothing changed; no new version was made.", "webformulier": "web form",
    "Opgeslagen als versie %d.": "Saved as version %d.", "Kies een waarde uit de lijst.": "Choose a value from the list.",
    "'%s' is geen aantal woningen (een heel getal van 0 of meer).": "'%s' is not a number of homes (a whole number of 0 or more).",
    "Een datum is niet te lezen; gebruik de datumkiezer.": "A date cannot be read; use the date picker.", "'%s' is geen aantal woningen.": "'%s' is not a number of homes.",
    "Alternatieven": "Alternatives", "Alternatieven bij een tekort": "Alternatives for a shortfall",
    "Welke projecten kunnen naar voren om het tekort in een jaar te dekken, met score en redenen. Zonder opgegeven tekort rekent Bouwregie het uit de afspraak van het gebied.": "Which projects can be brought forward to cover the shortfall in a year, with score and reasons. Without a given shortfall Bouwregie computes it from the area's agreement.",
    "Gebied, jaar en peiling kiezen": "Choose area, year and peiling", "Tekort (optioneel)": "Shortfall (optional)", "Tonen": "Show",
    "opgeleverd en gepland": "delivered and planned", "tekort": "shortfall", "projecten kunnen niet meer op tijd (%(n)s woningen)": "projects can no longer make it in time (%(n)s homes)",
    "Kandidaten, hoogste score eerst": "Candidates, highest score first", "Score": "Score", "Cumulatief": "Cumulative", "uit": "from",
    "Kaart": "Map", "Vertragingen": "Delays", "Op de kaart": "On the map", "Vertragingen tussen twee peilingen": "Delays between two peilingen",
    "Drempel (maanden later)": "Threshold (months later)", "projecten vertraagd": "projects delayed", "planstatus teruggevallen": "plan status fell back",
    "Projecten, grootste eerst (hooguit 100)": "Projects, largest first (at most 100)", "Wat schoof": "What slipped",
    "Geen vertragingen boven de drempel.": "No delays above the threshold.", "optioneel": "optional",
    "Import #%(n)s: %(name)s": "Import #%(n)s: %(name)s", "Bevestigd door %(who)s.": "Confirmed by %(who)s.",
    "Bekijk de uitgevoerde import #%(n)s": "See the executed import #%(n)s",
    "Geannuleerd door %(who)s; er is niets opgeslagen en het bestand is verwijderd.": "Cancelled by %(who)s; nothing was saved and the file was deleted.",
    "Voorbeeld: dit zou de import veranderen. Er is nog niets opgeslagen.": "Preview: this is what the import would change. Nothing has been saved yet.",
    "Opgeslagen: de projecten hieronder hebben een nieuwe versie.": "Saved: the projects below have a new version.",
    "Gedeeltelijk opgeslagen: de geldige regels wel, de regels met fouten niet.": "Partly saved: the valid rows, not the rows with errors.",
    "Geweigerd, er is niets opgeslagen:": "Refused, nothing was saved:",
    "Herstel de lijst en upload haar opnieuw, of sla alleen de geldige regels op.": "Correct the list and upload it again, or save only the valid rows.",
    "Bevestigen en opslaan": "Confirm and save", "Annuleren": "Cancel", "Formaat en profiel": "Format and profile", "Samenvatting": "Summary",
    "regels met fouten (van %(n)s)": "rows with errors (of %(n)s)", "woningen: %(hard)s hard, %(soft)s zacht": "homes: %(hard)s hard, %(soft)s soft",
    "Meldingen": "Messages", "alle meldingen als CSV": "all messages as CSV", "nog %(n)s meldingen niet getoond": "%(n)s more messages not shown",
    "Rij": "Row", "Kolom": "Column", "Waarde": "Value", "Ernst": "Severity", "fout": "error", "waarschuwing": "warning",
    "Geen fouten of waarschuwingen.": "No errors or warnings.", "Terug naar de planlijsten": "Back to the plan lists", "Wat verandert": "What changes",
    "Geen.": "None.", "Planlijsten importeren": "Import plan lists", "Nieuwe planlijst uploaden": "Upload a new plan list",
    "Na het uploaden controleert Bouwregie de lijst en toont wat er zou veranderen. Er wordt pas iets opgeslagen als u dat bevestigt.": "After the upload Bouwregie checks the list and shows what would change. Nothing is saved until you confirm.",
    "De upload is niet gestart; zie de meldingen bij de velden.": "The upload did not start; see the messages at the fields.",
    "Uploaden en controleren": "Upload and check", "Tijdstip": "Time", "Bron en bestand": "Source and file", "Nog geen imports.": "No imports yet.",
    "Voortgang": "Progress", "Bekijk de uitkomst": "See the outcome", "Vernieuwen": "Refresh", "Kaart instellen": "Set up the map",
    "Kleur gemeenten naar": "Colour municipalities by", "bijv. PV26 of Utrecht": "e.g. PV26 or Utrecht",
    "De achtergrondkaart (PDOK) is niet bereikbaar; de gemeenten en projecten werken zonder.": "The background map (PDOK) cannot be reached; municipalities and projects work without it.",
    "Kaart van de gemeenten": "Map of the municipalities", "Log in met een organisatie om ook de projecten op de kaart te zien.": "Sign in with an organisation to see the projects on the map as well.",
    "Een peiling is de stand per kwartaal. Sluiten legt van elk project de nieuwste versie vast; het dashboard toont gesloten peilingen. Sluiten is onomkeerbaar.": "A peiling is the quarterly state. Closing it records the newest version of every project; the dashboard shows closed peilingen. Closing cannot be undone.",
    "Ik begrijp dat sluiten onomkeerbaar is en geldt voor alle tafels in het land.": "I understand that closing cannot be undone and applies to every table in the country.",
    "Alle peilingen": "All peilingen", "gesloten op %(when)s door %(who)s": "closed on %(when)s by %(who)s", "open": "open",
    "Nog geen peilingen.": "No peilingen yet.", "Marktpartijen": "Market parties", "%(name)s bewerken": "Edit %(name)s",
    "Opslaan maakt een nieuwe versie; versie %(n)s blijft in de geschiedenis.": "Saving makes a new version; version %(n)s stays in the history.",
    "U bent marktpartij bij dit project: u kunt de private mijlpalen bijwerken.": "You are a market party in this project: you can update the private milestones.",
    "Gegevens": "Details", "privaat": "private", "publiek": "public", "Reden van de wijziging": "Reason for the change",
    "Opslaan als nieuwe versie": "Save as a new version", "Alleen vertraagd sinds de vorige peiling": "Only delayed since the previous peiling",
    "Planlijsten": "Plan lists", "Peilingen": "Peilingen", "Peiling sluiten": "Close peiling", "Project bewerken": "Edit project",
    "Private mijlpalen bijwerken": "Update private milestones",
    "Harde plancapaciteit (woningen)": "Hard plan capacity (homes)", "Betaalbaar aandeel in de pijplijn": "Affordable share in the pipeline", "Gebied (met projecten)": "Area (with projects)",
    "Woningen per segment en woningtype": "Homes by segment and housing type", "Van peiling": "From peiling", "Tot peiling": "To peiling",
    "Woningen geraakt": "Homes affected", "Woningen naar voren": "Homes brought forward", "Redenen": "Reasons",
    "Geen projecten die naar voren kunnen.": "No projects that can be brought forward.", "kandidaten met %(n)s woningen": "candidates with %(n)s homes", "Door, wanneer": "By, when", "nieuwe projecten": "new projects", "gewijzigde projecten": "changed projects",
    "ongewijzigd": "unchanged", "niet meer in planlijst": "no longer in plan list", "Per gemeente": "Per municipality",
    "Importlogboek": "Import log", "bronvermelding of bijzonderheden": "source reference or details",
    "projecten uit de pijplijn (%(n)s woningen)": "projects left the pipeline (%(n)s homes)", "mijlpalen later": "milestones later",
    "woningen naar een later jaar": "homes moved to a later year", "Gebied en peilingen kiezen": "Choose area and peilingen",
    "Import #%d bestaat niet.": "Import #%d does not exist.", "Taak #%d bestaat niet.": "Job #%d does not exist.",
    "Import #%(n)s": "Import #%(n)s",
}  # fmt: skip
PLURALS = {
    "%(n)s regel heeft fouten (zie Meldingen).": ("%(n)s row has errors (see Messages).", "%(n)s rows have errors (see Messages)."),
    "Alleen de %(n)s geldige regel opslaan": ("Save only the %(n)s valid row", "Save only the %(n)s valid rows"),
    "%(n)s nieuw project": ("%(n)s new project", "%(n)s new projects"),
    "%(n)s gewijzigd project": ("%(n)s changed project", "%(n)s changed projects"),
    "%(n)s project niet meer in de planlijst": ("%(n)s project no longer in the plan list", "%(n)s projects no longer in the plan list"),
    "%(n)s fout": ("%(n)s error", "%(n)s errors"),
    "%(n)s latere deeloplevering blijft ongewijzigd.": ("%(n)s later partial delivery stays unchanged.", "%(n)s later partial deliveries stay unchanged."),
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
        elif "#, fuzzy" in entry:  # gettext's guess from a similar text is wrong more often than not: drop it
            entry = re.sub(r'^(msgstr(?:\[\d\])?) (".*"\n?)+', r'\1 ""\n', entry + "\n", flags=re.M).rstrip("\n")
        entry = re.sub(r"^#\| .*\n", "", entry.replace("#, fuzzy\n", ""), flags=re.M)
        entries[n] = entry
    po_path.write_text("\n\n".join(entries), encoding="utf-8")
    return filled


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "src/bouwregie/locale/en/LC_MESSAGES/django.po")
    print(f"{fill(path)} vertalingen ingevuld in {path}")
