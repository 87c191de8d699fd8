"""A draft column profile from a file's headers: `bouwregie import FILE --suggest-profile` (issue 15).

Why: a user with an unknown layout should not have to read code to write a profile. Each header is
compared with every known meaning — the aliases of all shipped and installed profiles, the field names
and descriptions of `profiles.FIELDS`, and a small vocabulary below (IPO shapefile abbreviations,
segment words, English) — and the first rows decide doubtful cases (a count column must hold numbers,
a date column dates or years, an id column distinct values). The draft is plain TOML that
`profiles._parse` accepts unchanged, with one comment per column saying how sure the guess is.
The keys are documented in docs/profielen.md.
"""

import difflib
import json
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from bouwregie.ingest import profiles
from bouwregie.ingest.normalise import count, day, is_blank, simplify
from bouwregie.projects.enums import HousingType, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES

SURE = 0.97  # exact, or equal apart from spaces and punctuation
LIKELY = 0.8  # below this a header is reported as not recognised
SAMPLE_ROWS = 50

# What people write in plan lists beyond the shipped profiles' aliases: (kind, key) -> names.
# IPO abbreviations: the provincial plancapaciteit layout, cut to 10 characters by the Shapefile format
# (shared/cases/ingest/README.md, case 09). Segments: the Woontop 2024 segments (DOMAIN.md §2), where
# "dure huur" is the free-sector rent of the national woningbouwkaart.
VOCABULARY = {
    ("field", "external_id"): [
        "id",
        "project id",
        "projectnummer",
        "projectnr",
        "project nr",
        "plan id",
        "plannummer",
        "plan nr",
        "plancode",
        "kenmerk",
        "objectid",
        "object id",
        "fid",
        "ref",
    ],  # fmt: skip
    ("field", "name"): ["project name", "name", "plan name", "naam project", "omschrijving"],
    ("field", "municipality"): ["gem naam", "gemnaam", "gemeente naam", "municipality", "gm naam", "gemcode"],
    ("field", "province"): ["provincie", "provincie naam", "prov", "province"],
    ("field", "place"): ["woonplaats", "plaats", "kern", "dorp", "place", "town", "city"],
    ("field", "plan_type"): ["plan type", "type of plan", "soort locatie"],
    ("field", "plan_status"): ["status", "plan status", "planning status", "hard zacht", "hardheid"],
    ("field", "plan_status_legend"): ["pslegenda", "ps legenda", "legenda planstatus", "status legenda"],
    ("field", "homes_total"): [
        "aantalrest",
        "aantal rest",
        "aantal",
        "aantal woningen totaal",
        "totaal woningen",
        "plancapaciteit",
        "netto plancapaciteit",
        "number of homes",
        "homes",
        "dwellings",
        "units",
        "housing units",
    ],
    ("field", "demolitions"): ["demolition", "demolished", "onttrekking", "onttrekkingen"],
    ("field", "remark"): ["notes", "note", "comment", "comments", "remarks", "bijzonderheden"],
    ("field", "reference_date"): ["date", "reference date", "peilmoment", "actualisatie"],
    ("field", "x"): ["x", "x coordinaat", "xcoord", "x rd"],
    ("field", "y"): ["y", "y coordinaat", "ycoord", "y rd"],
    ("housing_types", "grondgebonden"): ["wtypggb", "ggb", "single family", "eengezins"],
    ("housing_types", "gestapeld"): ["wtypapp", "app", "apartments", "apartment", "appartementen"],
    ("housing_types", "onbekend"): ["wtyponb"],
    ("tenure", "huur"): ["rent", "rental", "huur"],
    ("tenure", "koop"): ["koop", "owner occupied", "sale", "buy"],
    ("tenure", "onbekend"): ["hrkponb", "huurkoop onbekend"],
    ("segment", "sociale_huur"): ["sociale huur", "sociale huurwoningen", "social rent", "social housing"],
    ("segment", "middenhuur"): ["middenhuur", "midden huur", "middeldure huur", "mid rent", "middle rent"],
    ("segment", "betaalbare_koop"): ["betaalbare koop", "goedkope koop", "sociale koop", "affordable sale"],
    ("segment", "vrije_sector_huur"): ["vrije sector huur", "dure huur", "vrije huur", "geliberaliseerde huur"],
    ("segment", "dure_koop"): ["dure koop", "vrije sector koop", "expensive sale"],
    ("segment", "onbekend"): ["segment onbekend"],
    ("segment", "huur_onbekend"): ["huur onbekend", "huursegment onbekend"],
    ("segment", "koop_onbekend"): ["koop onbekend", "koopsegment onbekend"],
}

# Words around a year range that still make the column a delivery period ("Woningen 2025-2029").
PERIOD_WORDS = {
    "op", "opl", "oplevering", "opleveringen", "periode", "planperiode", "opleverperiode", "woningen", "won",
    "aantal", "jaar", "jaren", "plancapaciteit", "capaciteit", "netto", "totaal", "totale", "in", "homes", "period",
}  # fmt: skip
HARDNESS = {"hard": "hard", "harde": "hard", "h": "hard", "zacht": "zacht", "zachte": "zacht", "z": "zacht"}
UNKNOWN_WORDS = {"onb", "onbekend", "nb", "unknown", "lonb", "plonb"}
OPEN_YEARS = 5  # "2030 en later" counts as 2030 t/m 2034 (docs/import.md, Perioden → jaren)


@dataclass(frozen=True)
class Meaning:
    """What a column means. kind: field, housing_types, tenure, segment (key (segment, housing type or
    None for a segment-only column)), group, milestone (key (kind, planned|actual)), period (first, last)."""

    kind: str
    key: tuple

    def describe(self) -> str:
        if self.kind == "field":
            return self.key[0]
        if self.kind in ("housing_types", "tenure"):
            return f"{self.kind}.{self.key[0]}"
        if self.kind == "segment" and self.key[1] is None:
            return f"segments.{self.key[0]}"
        if self.kind == "segment":
            return f"homes_matrix {'/'.join(self.key)}"
        if self.kind == "group":
            return f"target_groups {self.key[0]}"
        if self.kind == "milestone":
            return f"milestones.{self.key[1]} {self.key[0]}"
        return f"periods {period_label(*self.key)}"


@dataclass
class Guess:
    """One column of the file and what the draft makes of it."""

    column: str  # as the draft names it: "group header" when the file has a group row above the header
    meaning: Meaning | None = None
    score: float = 0.0
    alias: str = ""
    part: str = ""  # "hard" / "zacht" when the column holds only that part of the row
    note: str = ""  # why a recognised column is still not used (it goes to informational)
    position: int = 0  # index in the file's columns
    why: str = ""  # reason shown after the guess (or after "niet herkend")
    also: list = field(default_factory=list)  # (Meaning, why): further fields bound to this column

    @property
    def certainty(self) -> str:
        return "zeker" if self.score >= SURE else "waarschijnlijk"

    def comment(self) -> str:
        if self.meaning is None:
            return _("# '%s' → niet herkend: controleer") % self.column + (f" ({self.why})" if self.why else "")
        how = self.certainty
        if self.certainty != "zeker" and self.alias:
            how += _(", lijkt op '%s'") % self.alias
        text = f"# '{self.column}' → {self.meaning.describe()}{' (' + self.part + ')' if self.part else ''} ({how})"
        return text + (f": {self.note or self.why}" if self.note or self.why else "")


@dataclass
class Suggestion:
    name: str
    toml: str
    guesses: list[Guess]
    missing: list[str] = field(default_factory=list)

    def recognised(self) -> list[Guess]:
        return [g for g in self.guesses if g.meaning is not None and not g.note]

    def summary(self) -> str:
        """A few lines for the terminal: how much was recognised and what still needs a look."""
        used = self.recognised()
        sure = sum(g.certainty == "zeker" for g in used)
        unknown = [g.column for g in self.guesses if g.meaning is None]
        lines = [
            _("%(used)d van %(total)d kolommen herkend (%(sure)d zeker, %(likely)d waarschijnlijk).")
            % {"used": len(used), "total": len(self.guesses), "sure": sure, "likely": len(used) - sure}
        ]
        if unknown:
            shown = ", ".join(unknown[:8]) + (", …" if len(unknown) > 8 else "")
            lines.append(_("Niet herkend (staan onder informational): %s.") % shown)
        if self.missing:
            lines.append(_("Nog niet gevonden, vul aan: %s.") % "; ".join(self.missing))
        lines.append(_("Controleer elke regel van het concept; uitleg van alle sleutels: docs/profielen.md."))
        return "\n".join(lines)


def period_label(first, last) -> str:
    if first is None:
        return "onbekend"
    if last is None or last == first:
        return str(first)
    return f"{first}-{last}"


# --- the known meanings ---------------------------------------------------------------------------


def known_names() -> list[tuple[str, Meaning]]:
    """(simplified name, meaning) for every name the product knows, shipped profiles first."""
    names: list[tuple[str, Meaning]] = []

    def add(name, meaning):
        if simplify(name):
            names.append((simplify(name), meaning))

    for path in profiles.profile_paths().values():
        _add_profile(profiles._parse(path), add)
    for target, description in profiles.FIELDS.items():
        add(target, Meaning("field", (target,)))
        add(re.split(r"[(;]", description)[0], Meaning("field", (target,)))
    for (kind, key), aliases in VOCABULARY.items():
        if kind == "field" and key not in profiles.FIELDS:
            continue  # a field this version of the product does not have
        for alias in aliases:
            add(alias, Meaning("segment", (key, None)) if kind == "segment" else Meaning(kind, (key,)))
    for kind in MILESTONE_CODES:
        add(kind, Meaning("milestone", (kind, "planned")))
    return names


def _add_profile(profile, add) -> None:
    place_names = {simplify(a) for a in profile.fields.get("municipality", ())}
    for target, aliases in profile.fields.items():
        for alias in aliases:
            if target in ("name", "external_id") and simplify(alias) in place_names:
                continue  # an aggregated list names and identifies its rows by municipality: that is no plan name
            add(alias, Meaning("field", (target,)))
    for kind_name, table in (("housing_types", profile.housing_types), ("tenure", profile.tenure)):
        for key, aliases in table.items():
            for alias in aliases:
                add(alias, Meaning(kind_name, (key,)))
    for key, aliases in getattr(profile, "segments", {}).items():
        for alias in aliases:
            add(alias, Meaning("segment", (key, None)))
    for period in profile.periods:
        for alias in period.columns:
            add(alias, Meaning("period", (period.first, period.last)))
    if profile.homes_matrix:
        for segment in Segment.values:
            for housing in HousingType.values:
                name = profile.homes_matrix.format(segment=segment, housing_type=housing)
                add(
                    name,
                    Meaning("segment", (segment, housing if "{housing_type}" in profile.homes_matrix else None)),
                )
    if profile.target_groups:
        for group in TargetGroup.values:
            add(profile.target_groups.format(group=group), Meaning("group", (group,)))
    for when, pattern in (("planned", profile.milestones_planned), ("actual", profile.milestones_actual)):
        for kind in MILESTONE_CODES if pattern else ():
            add(pattern.format(kind=kind), Meaning("milestone", (kind, when)))


def similarity(header: str, alias: str) -> float:
    """How close a simplified header is to a simplified known name: 1 equal, 0.97 equal without spaces,
    0.75–0.95 when every word of the name is in the header ('gemeentenaam 2025'), else a difflib ratio."""
    if header == alias:
        return 1.0
    compact_header, compact_alias = header.replace(" ", ""), alias.replace(" ", "")
    if compact_header == compact_alias:
        return SURE
    words = [w for w in header.split() if not w.isdigit()]
    best = 0.0
    if set(alias.split()) <= set(words):
        covered = sum(len(w) for w in set(alias.split())) / max(len("".join(words)), 1)
        best = 0.75 + 0.2 * min(covered, 1.0)  # at most 0.95: never as sure as an exact name
    ratio = difflib.SequenceMatcher(None, compact_header, compact_alias).ratio()
    return max(best, ratio * 0.95 if len(compact_alias) > 3 else 0.0)


# --- reading the headers ----------------------------------------------------------------------------

RANGE = re.compile(r"(?<![0-9])((?:19|20)\d\d) (?:tm |tot en met |tot |to )?((?:19|20)?\d\d)(?![0-9])")
CUT = re.compile(r"^(op|opl|p|per|h|z)?((?:19|20)\d\d)((?:19|20)\d\d|\d\d)?$")  # OP202024, Op20302050, h2020
OPEN_END = re.compile(
    r"(?<![0-9])((?:19|20)\d\d) (?:plus|en later|e v|ev|en verder|and later|later)(?![a-z])"
    r"|(?<![a-z])(?:vanaf|na|after) ((?:19|20)\d\d)(?![0-9])"
)
UNKNOWN_PERIOD = {"oplonb", "oponb", "plonb", "periodeonbekend", "opleveringonbekend"}


def _period(header: str) -> tuple[str, int | None, int | None] | None:
    """(part, first, last) when the header names a delivery period, else None; part is 'hard', 'zacht'
    or ''. Accepts '2025-2029', '2025 t/m 2029', 'OP202529' (Shapefile cut), 'h2020-2024', '2030+',
    '2030 en later', 'vanaf 2030' and 'periode onbekend' (first and last None)."""
    text = simplify(str(header).replace("t/m", " tm ").replace("+", " plus "))
    words = text.split()
    if text.replace(" ", "") in UNKNOWN_PERIOD or (
        set(words) & UNKNOWN_WORDS and set(words) & {"periode", "oplevering", "opleverperiode", "planperiode"}
    ):
        return "", None, None
    if match := RANGE.search(text):
        first, last = int(match[1]), int(match[2])
    elif match := OPEN_END.search(text):
        first = int(match[1] or match[2])
        last = first + OPEN_YEARS - 1
    else:
        cut = [(i, CUT.match(w)) for i, w in enumerate(words) if CUT.match(w)]
        if len(cut) != 1:
            return None
        i, found = cut[0]
        first, last = int(found[2]), int(found[3]) if found[3] else int(found[2])
        words = words[:i] + ([found[1]] if found[1] else []) + words[i + 1 :]
        match = None
    if match is not None:
        words = (text[: match.start()] + " " + text[match.end() :]).split()
    if last < 100:
        last += (first // 100) * 100
    if last < first:
        return None
    part = ""
    for word in words:
        if word in HARDNESS:
            part = HARDNESS[word]
        elif word not in PERIOD_WORDS and word not in ("op", "opl", "p", "per"):
            return None
    return part, first, last


def _hardness(header: str) -> tuple[str, str]:
    """('hard'|'zacht', the header without that word) for 'Harde plancapaciteit'; ('', header) otherwise."""
    words = header.split()
    parts = {HARDNESS[w] for w in words if w in HARDNESS and len(w) > 1}
    if len(parts) != 1:
        return "", header
    return parts.pop(), " ".join(w for w in words if w not in HARDNESS)


# --- the sample values ------------------------------------------------------------------------------


def _values(rows, i) -> list:
    return [row[i] for row in rows[:SAMPLE_ROWS] if i < len(row) and not is_blank(row[i])]


def _numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    text = str(value).strip().replace(" ", "")
    return bool(re.fullmatch(r"-?\d{1,3}(\.\d{3})+|-?\d+([.,]\d+)?", text))


def _fraction(value) -> bool:
    return _numeric(value) and count(value)[1] is not None


def _datelike(value) -> bool:
    if isinstance(value, date):
        return True
    if _numeric(value) and str(value).strip().isdigit() and 1900 <= int(str(value).strip()) <= 2100:
        return True  # a bare year
    return day(value)[1] is None


COUNTS = {"homes_total", "demolitions", "oplevering_homes", "x", "y", "plan_status_legend"}
DATES = {"reference_date"}


def fits(meaning: Meaning, values: list) -> bool:
    """Whether the first rows agree with a meaning: counts are numbers, dates are dates or years, an
    id differs per row and is not one repeated value (case 09: an all-zero ET_ID is no identifier)."""
    if not values:
        return True
    share = 0.8
    if meaning.kind in ("housing_types", "tenure", "segment", "group", "period") or (
        meaning.kind == "field" and meaning.key[0] in COUNTS
    ):
        return sum(map(_numeric, values)) >= share * len(values)
    if meaning.kind == "milestone" or (meaning.kind == "field" and meaning.key[0] in DATES):
        return sum(map(_datelike, values)) >= share * len(values)
    if meaning.kind == "field" and meaning.key[0] in ("external_id", "projectcode"):
        texts = [str(v).strip() for v in values]
        return len(set(texts)) == len(texts) and (len(texts) == 1 or len(set(texts)) > 1)
    if meaning.kind == "field" and meaning.key[0] == "name":
        return not all(map(_numeric, values))
    return True


# --- choosing -----------------------------------------------------------------------------------------

ID = Meaning("field", ("external_id",))
NAME = Meaning("field", ("name",))
MUNICIPALITY = Meaning("field", ("municipality",))
TOTAL = Meaning("field", ("homes_total",))
TOTAL_WORDS = ("", "plancapaciteit", "capaciteit", "totaal", "woningen", "aantal", "aantal woningen")


def guess_columns(columns: list[str], rows: list, groups: list[str] = ()) -> list[Guess]:
    """One Guess per non-empty column: each meaning goes to the column that resembles it most."""
    known = known_names()
    guesses: list[Guess] = []
    candidates = []  # (score, guess index, meaning, alias, part)
    for i, column in enumerate(columns):
        if not str(column).strip():
            continue
        group = groups[i] if i < len(groups) else ""
        guesses.append(Guess(f"{group} {column}" if group else str(column), position=i))
        candidates += _candidates(len(guesses) - 1, guesses[-1].column, _values(rows, i), known)
    taken_slots, taken = set(), set()
    for score, g, meaning, alias, part in sorted(candidates, key=lambda c: (-c[0], c[1])):
        slot = (meaning, part) if meaning.kind != "period" else (g,)
        if g in taken or slot in taken_slots:
            continue
        taken.add(g)
        taken_slots.add(slot)
        guesses[g].meaning, guesses[g].score, guesses[g].alias, guesses[g].part = meaning, score, alias, part
    _identify_by_municipality(guesses, candidates, rows)
    _mark_doubles(guesses, candidates)
    _explain_doubts(guesses, known)
    return guesses


def _explain_doubts(guesses: list[Guess], known) -> None:
    """A header that resembles a meaning its values contradict (an all-zero 'ET_ID' is no id) says so."""
    for guess in guesses:
        if guess.meaning is not None:
            continue
        header = _hardness(simplify(guess.column))[1]
        score, name, meaning = max(((similarity(header, n), n, m) for n, m in known), key=lambda c: c[0])
        if score >= LIKELY:
            guess.why = _(
                "lijkt op %(meaning)s ('%(alias)s'), maar de waarden in de eerste regels passen daar niet bij"
            ) % {
                "meaning": meaning.describe(),
                "alias": name,
            }


def _mark_doubles(guesses: list[Guess], candidates) -> None:
    """A column whose best meaning went to a closer column ('gemeente' beside 'gemeentecode') is shown
    with that meaning and a note, under informational, rather than as not recognised."""
    holder = {(g.meaning, g.part): g for g in guesses if g.meaning is not None}
    for score, g, meaning, alias, part in sorted(candidates, key=lambda c: -c[0]):
        other = holder.get((meaning, part))
        if guesses[g].meaning is None and other is not None:
            guesses[g].meaning, guesses[g].score, guesses[g].alias, guesses[g].part = meaning, score, alias, part
            guesses[g].note = _("tweede kolom met deze betekenis; '%s' wordt gebruikt") % other.column


def _candidates(g: int, label: str, values: list, known) -> list[tuple]:
    """Every meaning this header may have, with its score and the known name it resembles."""
    if (found := _period(label)) is not None:
        part, first, last = found
        meaning = Meaning("period", (first, last))
        if fits(meaning, values):
            return [(SURE, g, meaning, label, part)]
    part, text = _hardness(simplify(label))
    found = []
    for name, meaning in known:
        score = similarity(text, name)
        if score >= LIKELY and fits(meaning, values):
            found.append((score, g, meaning, name, part))
    if part and text in TOTAL_WORDS and fits(TOTAL, values):
        found.append((0.9, g, TOTAL, text or part, part))
    return found


def _identify_by_municipality(guesses: list[Guess], candidates, rows) -> None:
    """An aggregated list (one row per municipality, no plan id or name; case 03) identifies its rows by
    the municipality. With a code and a name column, the code is the municipality and the id (codes are
    unambiguous) and the name the plan name; with one column, that column is all three."""
    meanings = {g.meaning for g in guesses}
    municipality = next((g for g in guesses if g.meaning == MUNICIPALITY), None)
    if municipality is None or NAME in meanings or Meaning("field", ("projectcode",)) in meanings:
        return
    ranked = [g for _s, g, meaning, _a, _p in sorted(candidates, key=lambda c: -c[0]) if meaning == MUNICIPALITY]
    like = [guesses[g] for g in dict.fromkeys(ranked) if guesses[g].meaning in (None, ID, MUNICIPALITY)]
    if ID in meanings and not any(g.meaning == ID for g in like):
        return  # a real plan id without plan names: the user must say which column names the plan
    why = _("geen plan-id of plannaam in de lijst: één regel per gemeente")
    other = next((g for g in like if g is not municipality), None)
    if other is None:
        municipality.also += [(ID, why), (NAME, why)] if ID not in meanings else [(NAME, why)]
        return
    code, named = (
        (other, municipality) if _codes(rows, other) and not _codes(rows, municipality) else (municipality, other)
    )
    code.meaning, code.score, code.alias = MUNICIPALITY, max(code.score, municipality.score), municipality.alias
    code.also.append((ID, why))
    named.meaning, named.score, named.alias, named.why = NAME, 0.85, "gemeente", why


def _codes(rows, guess) -> bool:
    """Whether a column holds municipality codes (344, GM0344) rather than names."""
    values = [str(v).strip().upper().removeprefix("GM") for v in _values(rows, guess.position)]
    return bool(values) and all(v.isdigit() for v in values)


# --- writing the draft --------------------------------------------------------------------------------


def _str(text) -> str:
    """A TOML basic string (JSON's escapes are valid TOML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _array(items) -> str:
    return "[" + ", ".join(_str(i) for i in items) + "]"


def _template(column: str, values: dict) -> str | None:
    """The pattern that spells this column, each placeholder value replaced by its placeholder:
    'Aantal sociale huur' with {'segment': 'sociale_huur'} → 'aantal {segment}'; None if it does not."""
    text = f" {simplify(column)} "
    for placeholder, value in values.items():
        plain = f" {simplify(value)} "
        if plain not in text:
            return None
        text = text.replace(plain, f" {{{placeholder}}} ", 1)
    return text.strip()


def draft(
    name: str, source: str, columns: list[str], rows: list, groups: list[str] = (), header_row=None
) -> Suggestion:
    """The draft profile for these headers (and first rows) as TOML text, with its guesses. The text is
    parsed back with profiles._parse and bound to the same headers: what is still missing is named."""
    guesses = guess_columns(columns, rows, list(groups))
    lines = _write(name, source, guesses, rows, header_row)
    missing = _check("\n".join(lines), columns, list(groups))
    if missing:
        lines[4:4] = ["# " + _("Nog niet gevonden, vul aan: %s.") % "; ".join(missing)]
    return Suggestion(name, "\n".join(lines) + "\n", guesses, missing)


def _check(text: str, columns: list[str], groups: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "concept.toml"
        path.write_text(text, encoding="utf-8")
        profile = profiles._parse(path)
    return profile.bind(columns, groups).missing()


def _write(name, source, guesses, rows, header_row) -> list[str]:
    used = [g for g in guesses if g.meaning is not None]
    parts = sorted({g.part for g in used if g.part})
    split = len(parts) > 1  # hard and soft side by side: one record per part
    if split:
        for g in used:
            if not g.part and (g.meaning == TOTAL or g.meaning.kind == "period"):
                g.note = _("het totaal van hard en zacht; de records tellen de delen, dit is ter controle")
    lines = [
        "# " + _("Conceptprofiel voor '%s', gemaakt door bouwregie import --suggest-profile.") % source,
        "# " + _("Een voorstel, geen zekerheid: controleer elke regel en pas aan waar nodig."),
        "# " + _("Boven elke regel staat welke kolom het is en hoe zeker de herkenning is."),
        "# " + _("Uitleg van alle sleutels: docs/profielen.md."),
        f"name = {_str(name)}",
        f"title = {_str(_('Concept: %s') % source)}",
        f"description = {_str(_('Concept, gemaakt uit de kolomkoppen; nog te controleren.'))}",
    ]
    if header_row:
        lines.append(f"header_row = {int(header_row)}")
    if any(_fraction(v) for g in used if _is_count(g.meaning) for v in _values(rows, g.position)):
        lines += ["# " + _("De lijst heeft gebroken aantallen: die worden afgerond, met een waarschuwing per cel."),
                  "round_fractions = true"]  # fmt: skip
    patterns = _patterns([g for g in used if not g.note and not (split and g.part)])
    lines += _informational(guesses)
    top = [g for g in used if not g.note and not (split and g.part)]
    lines += ["", "[fields]"] + _fields(top)
    lines += _constants(used, parts)
    lines += patterns + _tables(top) + _periods(top, "periods")
    for part in parts if split else ():
        lines += _record(part, [g for g in used if g.part == part and not g.note])
    return lines


def _is_count(meaning) -> bool:
    return meaning.kind in ("housing_types", "tenure", "segment", "group", "period") or (
        meaning.kind == "field" and meaning.key[0] in COUNTS - {"x", "y", "plan_status_legend"}
    )


def _informational(guesses) -> list[str]:
    rest = [g for g in guesses if g.meaning is None or g.note]
    if not rest:
        return ["informational = []"]
    return ["informational = ["] + [f"    {_str(g.column)},  {g.comment()}" for g in rest] + ["]"]


def _fields(top) -> list[str]:
    lines = []
    for g in top:
        if g.meaning.kind == "field":
            lines += [g.comment(), f"{g.meaning.key[0]} = {_array([g.column])}"]
        for meaning, why in g.also:
            lines += [f"# '{g.column}' → {meaning.key[0]} ({_('waarschijnlijk')}: {why})"]
            lines += [f"{meaning.key[0]} = {_array([g.column])}"]
    if not _total_known(top):
        periods = [g for g in top if g.meaning.kind == "period"]
        if len(periods) == 1:  # one period column holds all the row's homes: it is the total too
            lines += [periods[0].comment().replace("→ periods", "→ homes_total en periods", 1)]
            lines += [f"homes_total = {_array([periods[0].column])}"]
    return lines


def _total_known(guesses) -> bool:
    return any(g.meaning == TOTAL or g.meaning.kind in ("segment", "housing_types") for g in guesses)


def _constants(used, parts) -> list[str]:
    lines = []
    if not any(g.meaning == MUNICIPALITY for g in used):
        lines += ["# " + _("Geen gemeentekolom gevonden: lijst van één gemeente? Vul die dan hier in:")]
        lines += ["# municipality = " + _str("Zutphen")]
    if len(parts) == 1:
        lines += ["# " + _("Alle aantallen in deze lijst zijn %s (zie de kolomkoppen).") % parts[0]]
        lines += [f"plan_status = {_str(parts[0])}"]
    return ["", "[constants]"] + lines if lines else []


def _patterns(top) -> list[str]:
    """homes_matrix, target_groups and milestones: a profile names these columns by one pattern each."""
    lines = []
    segments = [g for g in top if g.meaning.kind == "segment" and g.meaning.key[1] is not None]
    if segments and (pattern := _common(segments, lambda m: {"segment": m.key[0], "housing_type": m.key[1]})):
        lines += ["", "[homes_matrix]"] + _live(segments, f"pattern = {_str(pattern)}")
    groups = [g for g in top if g.meaning.kind == "group"]
    if groups and (pattern := _common(groups, lambda m: {"group": m.key[0]})):
        lines += ["", "[target_groups]"] + _live(groups, f"pattern = {_str(pattern)}")
    section = []
    for when in ("planned", "actual"):
        those = [g for g in top if g.meaning.kind == "milestone" and g.meaning.key[1] == when]
        if those and (pattern := _common(those, lambda m: {"kind": m.key[0]})):
            section += _live(those, f"{when} = {_str(pattern)}")
    return lines + (["", "[milestones]"] + section if section else [])


def _live(guesses, line) -> list[str]:
    return [g.comment() for g in guesses if not g.note] + [line]


def _common(guesses, placeholders) -> str | None:
    """The pattern that spells most of these columns; the others get a note (and go to informational)."""
    templates: dict = {}
    for g in guesses:
        values = {k: v for k, v in placeholders(g.meaning).items() if v is not None}
        templates.setdefault(_template(g.column, values), []).append(g)
    spelled = [t for t in templates if t is not None]
    best = max(spelled, key=lambda t: len(templates[t])) if spelled else None
    for template, those in templates.items():
        for g in those if template != best else ():
            g.note = _("past niet in een patroon; hernoem de kolom naar '%s' om hem mee te tellen") % _spelling(
                g.meaning, best or "{segment}"
            )
    return best


def _spelling(meaning, pattern) -> str:
    values = {
        "segment": meaning.key[0],
        "housing_type": meaning.key[-1],
        "group": meaning.key[0],
        "kind": meaning.key[0],
    }
    return pattern.format(**values).replace("_", " ")


def _tables(top) -> list[str]:
    lines = []
    for kind in ("segments", "housing_types", "tenure"):
        those = [g for g in top if g.meaning.kind == kind or (kind == "segments" and _segment_only(g.meaning))]
        if those:
            lines += ["", f"[{kind}]"]
            for g in those:
                lines += [g.comment(), f"{g.meaning.key[0]} = {_array([g.column])}"]
    return lines


def _segment_only(meaning) -> bool:
    """A column of one segment, all housing types together ('Sociale huur'): the [segments] table."""
    return meaning.kind == "segment" and meaning.key[1] is None


def _periods(guesses, table: str) -> list[str]:
    lines = []
    labels: set[str] = set()
    for g in guesses:
        if g.meaning.kind != "period":
            continue
        first, last = g.meaning.key
        label = period_label(first, last)
        label = label if label not in labels else g.column
        labels.add(label)
        lines += ["", f"[[{table}]]", g.comment(), f"label = {_str(label)}", f"columns = {_array([g.column])}"]
        if first is not None:
            lines += [f"first = {first}", f"last = {last}"]
    return lines


def _record(part: str, guesses: list[Guess]) -> list[str]:
    """One [[records]] block: the part of each row with this plan status (hard or soft)."""
    lines = ["", "[[records]]", f"label = {_str(part)}", f"constants = {{ plan_status = {_str(part)} }}"]
    fields = [g for g in guesses if g.meaning.kind == "field"]
    periods = [g for g in guesses if g.meaning.kind == "period"]
    body = [line for g in fields for line in (g.comment(), f"{g.meaning.key[0]} = {_array([g.column])}")]
    if not any(g.meaning == TOTAL for g in fields) and len(periods) == 1:
        body += [periods[0].comment().replace("→ periods", "→ homes_total en periods", 1)]
        body += [f"homes_total = {_array([periods[0].column])}"]
    return lines + (["[records.fields]"] + body if body else []) + _periods(periods, "records.periods")
