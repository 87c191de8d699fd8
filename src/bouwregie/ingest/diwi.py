"""Read DIWI's GeoJSON exchange file into the columns of our standard template (issue 15).

DIWI (VNG-Realisatie/DIWI, the VNG's open-source municipal planning tool) writes one GeoJSON Feature
per project with nested properties: `projectgegevens` (basisgegevens, projectgegevens, projectfasen,
planologische_planstatus, locatie) and `woning_blokken[]` (mutatiegegevens, einddatum, woning_type,
waarde, doelgroep). Two dialects exist and both are read:

- DIWI's own export (backend services/export/geojson/GeoJSONExport.java): phase and plan-status keys as
  labels ("Realisatie", "1A Onherroepelijk"), mutatie_type "Bouw"/"Sloop", a block-level
  `woning_type` {eengezinswoning, meergezinswoning, onbekend}, `waarde` a list of
  {eigendom_type, aantal, laag, hoog, waarde, categorie}, `locatie.gemeente` a list, `diwi_id`;
- DIWI's import template (test_data/geojson_template.geojson, GeoJsonImportModel.java): enum keys
  (`_6_REALIZATION`, `_1A_ONHERROEPELIJK`), mutatie_type CONSTRUCTION/DEMOLITION and the block's
  eigendom_type and woning_type inside `mutatiegegevens`, `waarde` one {laag, hoog, categorie}.

The result is a plain `Table` with exactly the standard template's column names, so the `standaard`
profile maps it and every rule after reading is the importer's own. A column is only present when the
file carries that field (a missing column keeps the recorded value in Bouwregie). Every mapping rule is
documented in docs/import.md ("DIWI"); what cannot be mapped becomes a warning naming project and field.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import shapely
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from bouwregie.ingest import normalise
from bouwregie.ingest.readers import ImportRefused, Notice, Table, _to_wgs84, max_rows, too_many_rows
from bouwregie.projects.enums import HousingType, PlanStatus, Segment, TargetGroup
from bouwregie.projects.milestones import MILESTONE_CODES

FORMAT = "DIWI GeoJSON (uitwisselformaat)"
SNIFF_BYTES = 256 * 1024

# --- price limits (euro; rent per month, purchase price incl. k.k./v.o.n. as DIWI records it) --------------
# Sociale huur: rent at or below the liberalisatiegrens, € 900,07 per 1 January 2025 (= the maximum rent at
# 143 WWS points; Uitvoeringsregeling huurprijzen woonruimte, bedragen 2025, volkshuisvestingnederland.nl
# 26-11-2024).
SOCIAL_RENT_MAX = 900.07
# Middenhuur: above that and at most the maximum rent at 186 WWS points (Wet betaalbare huur, in force 1 July
# 2024): € 1.184,82 per 1 January 2025 (same regulation).
MID_RENT_MAX = 1184.82
# Betaalbare koop: purchase price at most the grens betaalbare koopwoning 2025, € 405.000 (Ministerie van VRO,
# the limit the woondeals and the realisatiestimulans use for 2025).
AFFORDABLE_BUY_MAX = 405_000.0

RENT_LIMITS = ((SOCIAL_RENT_MAX, Segment.SOCIALE_HUUR), (MID_RENT_MAX, Segment.MIDDENHUUR))
RENT_TOP = Segment.VRIJE_SECTOR_HUUR
BUY_LIMITS = ((AFFORDABLE_BUY_MAX, Segment.BETAALBARE_KOOP),)
BUY_TOP = Segment.DURE_KOOP

# DIWI OwnershipType → our tenure (DIWI dal/entities/enums/OwnershipType.java).
TENURE = {
    "KOOPWONING": "koop",
    "HUURWONING_PARTICULIERE_VERHUURDER": "huur",
    "HUURWONING_WONINGCORPORATIE": "huur",
}
CORPORATION = "HUURWONING_WONINGCORPORATIE"

# DIWI HouseType → our housing type: an eengezinswoning is a home that forms a building of its own
# (grondgebonden), a meergezinswoning one of several homes in a building (gestapeld) — CBS begrippen.
HOUSE_TYPE = {
    "EENGEZINSWONING": HousingType.GRONDGEBONDEN,
    "MEERGEZINSWONING": HousingType.GESTAPELD,
    "ONBEKEND": HousingType.ONBEKEND,
}

# DIWI ProjectStatus → our lifecycle (DIWI's export derives REALIZED from the project's end date).
LIFECYCLE = {"NEW": "actief", "ACTIVE": "actief", "REALIZED": "gerealiseerd", "TERMINATED": "vervallen"}

# DIWI PlanType → our plan type (DIWI dal/entities/enums/PlanType.java). UITBREIDING_OVERIG has no
# counterpart in our vocabulary (DOMAIN.md §3) and becomes 'onbekend' with a warning.
PLAN_TYPE = {
    "PAND_TRANSFORMATIE": "transformatie",
    "TRANSFORMATIEGEBIED": "transformatie",
    "HERSTRUCTURERING": "herstructurering",
    "VERDICHTING": "verdichting",
    "UITBREIDING_UITLEG": "uitleg",
}

# DIWI ProjectPhase (number 1–7) by enum name and by the export's Dutch label (GeoJSONExport.translate).
PHASES = {
    "1 concept": 1, "concept": 1, "2 initiative": 2, "initiatief": 2, "3 definition": 3, "definitie": 3,
    "4 design": 4, "ontwerp": 4, "5 preparation": 5, "voorbereiding": 5, "6 realization": 6, "realisatie": 6,
    "7 aftercare": 7, "nazorg": 7,
}  # fmt: skip
# The start of a DIWI phase that is one of our PPM milestones (milestones.py): the initiative phase starts
# with the initiative, the realisation phase with the start of construction. Aftercare (Nazorg) is not made
# an oplevering: a dated oplevering replaces the phasing (rules.delivery_phasing), and the blocks' own
# einddatum per block says more about when homes are delivered than the start of aftercare.
PHASE_MILESTONE = {2: "initiatief", 6: "start_bouw"}
# The start of a plan status that is one of our milestones: the first 2x date is the adoption of the plan,
# the first 1x date the plan becoming irrevocable.
STATUS_MILESTONE = {"1": "omgevingsplan_onherroepelijk", "2": "omgevingsplan_vastgesteld"}
# IPO order, hardest first; with several statuses starting on the same day the least advanced one counts.
STATUS_ORDER = ("1A", "1B", "1C", "2A", "2B", "2C", "3", "4A", "4B")

# DIWI target groups are categories each municipality names itself; these words name one of ours.
TARGET_GROUP_WORDS = (
    (r"student", TargetGroup.STUDENT),
    (r"zorg", TargetGroup.ZORGGESCHIKT),
    (r"geclusterd|hofje|woongroep", TargetGroup.GECLUSTERD),
    (r"nultreden|levensloop", TargetGroup.NULTREDEN),
    (r"aandacht|statushouder|urgent|dakloos|uitstroom|beschermd", TargetGroup.AANDACHTSGROEP),
)
NO_TARGET_GROUP = frozenset({"regulier", "geen", "overig", "alle", "algemeen"})

MATRIX = [f"{s}_{h}" for s in Segment.values for h in HousingType.values]
TENURE_COLUMNS = ["eigendom_huur", "eigendom_koop", "eigendom_onbekend"]
GROUP_COLUMNS = [f"doelgroep_{g}" for g in TargetGroup.values]
MILESTONE_COLUMNS = [f"{k}_{w}" for k in MILESTONE_CODES for w in ("gepland", "werkelijk")]
# The standard template's order (export.COLUMNS), restricted to what DIWI can carry.
COLUMN_ORDER = (
    ["extern_id", "projectnaam", "gemeentecode", "plantype", "planstatus", "status_project"]
    + MATRIX
    + TENURE_COLUMNS
    + GROUP_COLUMNS
    + ["sloop", "fasering"]
    + MILESTONE_COLUMNS
)
ALWAYS = {"extern_id", "projectnaam", "gemeentecode", "sloop", *MATRIX}


def is_diwi(path: Path) -> bool:
    """A .geojson/.json FeatureCollection whose first feature's properties hold `projectgegevens`.

    Cheap: a file without the word in its first 256 kB is not parsed at all."""
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        return False
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return False
    if b'"projectgegevens"' not in head or b"FeatureCollection" not in head:
        return False
    try:
        document = _load(path)
    except ImportRefused:
        return False
    features = document.get("features") if isinstance(document, dict) else None
    if document.get("type") != "FeatureCollection" or not isinstance(features, list) or not features:
        return False
    properties = features[0].get("properties") if isinstance(features[0], dict) else None
    return isinstance(properties, dict) and "projectgegevens" in properties


def read_diwi(path: Path, today: date | None = None) -> Table:
    """DIWI's exchange file as a Table in the standard template's columns.

    `today` is the reference date that separates reached (werkelijk) from planned (gepland) phase dates
    and picks the current plan status; DIWI files carry no date of their own."""
    path = Path(path)
    today = today or timezone.localdate()
    document = _load(path)
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ImportRefused(_("Het DIWI-bestand heeft geen lijst 'features'."))
    if len(features) > max_rows():
        raise too_many_rows()
    notices: list[Notice] = []
    projects = [_Project(number, feature, today, notices) for number, feature in enumerate(features, start=1)]
    carried = set(ALWAYS).union(*(p.carried for p in projects))
    columns = [c for c in COLUMN_ORDER if c in carried]
    rows = [[p.row.get(c, "") for c in columns] for p in projects]
    numbers = [p.number for p in projects]
    table = Table(columns, rows, numbers, notices=notices, format=FORMAT)
    shapes = [p.geometry for p in projects]
    if any(g is not None for g in shapes):
        wkb = [None if g is None else shapely.to_wkb(g) for g in shapes]
        table.geometries, table.crs = _to_wgs84(wkb, _declared_crs(document), table.notices, numbers)
    return table


def _load(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8-sig") as f:
            return json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportRefused(_("Het DIWI-bestand is geen geldige JSON: %s.") % error) from None


def _declared_crs(document: dict) -> str | None:
    """The crs member DIWI writes ({"type": "name", "properties": {"name": "EPSG:28992"}}), else None."""
    crs = document.get("crs")
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = crs["properties"].get("name")
        return str(name) if name else None
    return None


def _get(mapping, *keys):
    """mapping[k1][k2]… or None where any level is missing or not an object."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def _count(value) -> tuple[int | None, bool]:
    """(whole number or None, readable): DIWI writes Integer counts; anything else is unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    number, error = normalise.count(value)
    return (number, True) if error is None and number is not None and number >= 0 else (None, False)


def _day(value) -> tuple[date | None, bool]:
    """A DIWI LocalDate ('2025-03-01'; Jackson's array form [2025, 3, 1] too)."""
    if value is None:
        return None, True
    if isinstance(value, list) and len(value) == 3 and all(isinstance(v, int) for v in value):
        try:
            return date(*value), True
        except ValueError:
            return None, False
    day, error = normalise.day(value)
    return day, error is None


def segment_of(tenure: str, price: float) -> str:
    """The affordability segment of one rent (per month) or purchase price, by the limits above."""
    limits, top = (RENT_LIMITS, RENT_TOP) if tenure == "huur" else (BUY_LIMITS, BUY_TOP)
    return next((segment for limit, segment in limits if price <= limit), top)


def price_segment(tenure: str, low: float | None, high: float | None, value: float | None) -> str | None:
    """The segment a DIWI price (single value, or range laag–hoog) lies in; None when it straddles a limit.

    A single value wins over the range. A lower bound exactly on a limit counts as the segment above it
    (price categories are written 'vanaf de grens'); an open end reaches the lowest or highest segment."""
    if value is not None:
        return segment_of(tenure, value)
    if low is None and high is None:
        return None
    limits, top = (RENT_LIMITS, RENT_TOP) if tenure == "huur" else (BUY_LIMITS, BUY_TOP)
    bottom_segment = limits[0][1]
    lower = bottom_segment if low is None else segment_of(tenure, low + 0.005)
    upper = top if high is None else segment_of(tenure, high)
    return lower if lower == upper else None


def category_segment(tenure: str, name: str) -> str | None:
    """A segment named by a municipality's own price category ('Sociale huur', 'Betaalbare koop', …)."""
    text = normalise.simplify(name)
    if tenure == "huur":
        rules = (
            (r"sociaal|sociale", Segment.SOCIALE_HUUR),
            (r"midden", Segment.MIDDENHUUR),
            (r"vrije sector|duur|dure|hoog", Segment.VRIJE_SECTOR_HUUR),
        )
    else:
        rules = (
            (r"betaalba|goedkoop|goedkope|midden|starter", Segment.BETAALBARE_KOOP),
            (r"duur|dure|hoog|vrije sector", Segment.DURE_KOOP),
        )
    found = {segment for pattern, segment in rules if re.search(pattern, text)}
    return found.pop() if len(found) == 1 else None


@dataclass
class _Share:
    """One ownership line of a block: tenure, DIWI ownership type, count and price."""

    kind: str | None
    amount: int | None
    low: float | None = None
    high: float | None = None
    value: float | None = None
    category: str | None = None


@dataclass
class _Block:
    name: str
    path: str
    mutation: str | None  # 'bouw', 'sloop' or None (unreadable)
    amount: int | None
    end: date | None
    shares: list = field(default_factory=list)
    types: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)


class _Project:
    """One DIWI feature → one row of the standard template (`row`, only the fields it has) + geometry."""

    def __init__(self, number: int, feature, today: date, notices: list[Notice]):
        self.number, self.today, self.notices = number, today, notices
        self.row: dict = {}
        self.carried: set[str] = set()  # columns for which this project has data
        self.geometry = None
        feature = feature if isinstance(feature, dict) else {}
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        project = properties.get("projectgegevens") if isinstance(properties.get("projectgegevens"), dict) else {}
        self.name = str(_get(project, "basisgegevens", "naam") or "").strip()
        self._identity(project)
        self._municipality(_get(project, "locatie", "gemeente"))
        self._project_data(_get(project, "projectgegevens") or {})
        self._phases(_get(project, "projectfasen") or {})
        self._plan_status(_get(project, "planologische_planstatus") or {})
        blocks = properties.get("woning_blokken") or []
        self._blocks([self._block(i, b) for i, b in enumerate(blocks if isinstance(blocks, list) else [])])
        self._geometry(feature.get("geometry"))

    # --- notices ---------------------------------------------------------------------------------------
    def warn(self, column: str, value, reason: str) -> None:
        """A warning naming this project; `reason` is already a full Dutch sentence."""
        label = self.name or _("(zonder naam)")
        text = _("Project '%(project)s': %(reason)s") % {"project": label, "reason": reason}
        self.notices.append(Notice(self.number, column, "" if value is None else str(value), text))

    # --- project level ---------------------------------------------------------------------------------
    def _identity(self, project: dict) -> None:
        """DIWI's own uuid (export) identifies a project across deliveries; the template's number otherwise."""
        identity = project.get("diwi_id") or _get(project, "basisgegevens", "identificatie_nr")
        self.row["extern_id"] = "" if identity is None else str(identity).strip()
        self.row["projectnaam"] = self.name

    def _municipality(self, value) -> None:
        names = [str(v).strip() for v in (value if isinstance(value, list) else [value]) if v and str(v).strip()]
        self.row["gemeentecode"] = names[0] if names else ""
        if len(names) > 1:
            self.warn(
                "projectgegevens.locatie.gemeente",
                ", ".join(names),
                _("ligt volgens DIWI in meerdere gemeenten; de eerste (%s) is gebruikt.") % names[0],
            )

    def _project_data(self, data: dict) -> None:
        plan_type = data.get("plan_soort")
        if isinstance(plan_type, list):  # a list in some DIWI versions; the export writes the first
            plan_type = plan_type[0] if plan_type else None
        if plan_type:
            code = PLAN_TYPE.get(str(plan_type).strip().upper())
            if code is None:
                self.warn(
                    "projectgegevens.projectgegevens.plan_soort",
                    plan_type,
                    _("plansoort '%s' heeft geen plantype in Bouwregie; opgeslagen als onbekend.") % plan_type,
                )
            self.row["plantype"] = code or "onbekend"
        status = data.get("status")
        if status:
            lifecycle = LIFECYCLE.get(str(status).strip().upper())
            if lifecycle is None:
                self.warn(
                    "projectgegevens.projectgegevens.status",
                    status,
                    _("projectstatus '%s' niet herkend; actief aangenomen.") % status,
                )
            self.row["status_project"] = lifecycle or "actief"

    def _dated(self, entries: dict, column: str, key_of) -> list[tuple[object, date]]:
        """(key, start date) for every entry with a date; unreadable keys and dates become warnings."""
        found = []
        for raw_key, raw_day in entries.items() if isinstance(entries, dict) else ():
            if raw_day is None:
                continue
            key = key_of(raw_key)
            day, readable = _day(raw_day)
            if key is None:
                self.warn(f"{column}.{raw_key}", raw_day, _("'%s' niet herkend; genegeerd.") % raw_key)
            elif not readable or day is None:
                self.warn(f"{column}.{raw_key}", raw_day, _("'%s' is geen datum; genegeerd.") % raw_day)
            else:
                found.append((key, day))
        return found

    def _milestone(self, kind: str, day: date) -> None:
        """A date on or before the reference date is reached (werkelijk), a later one planned (gepland)."""
        self.row[f"{kind}_{'werkelijk' if day <= self.today else 'gepland'}"] = day.isoformat()

    def _phases(self, phases: dict) -> None:
        for phase, day in self._dated(phases, "projectgegevens.projectfasen", _phase_number):
            if phase in PHASE_MILESTONE:
                self._milestone(PHASE_MILESTONE[phase], day)

    def _plan_status(self, statuses: dict) -> None:
        dated = self._dated(statuses, "projectgegevens.planologische_planstatus", self._status_code)
        if not dated:
            return
        for group, kind in STATUS_MILESTONE.items():
            days = [day for code, day in dated if code.startswith(group)]
            if days:
                self._milestone(kind, min(days))
        reached = [(day, code) for code, day in dated if day <= self.today]
        if not reached:
            self.row["planstatus"] = PlanStatus.ONBEKEND  # every status still lies ahead
            return
        latest = max(day for day, _code in reached)
        codes = sorted({code for day, code in reached if day == latest}, key=STATUS_ORDER.index)
        if len(codes) > 1:
            self.warn(
                "projectgegevens.planologische_planstatus",
                ", ".join(codes),
                _("meerdere planstatussen sinds %(day)s (%(codes)s); de minst vergevorderde (%(used)s) is gebruikt.")
                % {"day": latest.isoformat(), "codes": ", ".join(codes), "used": codes[-1]},
            )
        self.row["planstatus"] = codes[-1]

    def _status_code(self, key) -> str | None:
        """IPO code of a DIWI plan status key: enum name ('_2B_…'), export label ('2B Vastgesteld met …') or
        a free spelling the importer's own status rules recognise ('ONHERROEPELIJK_BESTEMMINGSPLAN')."""
        text = normalise.simplify(key)
        match = re.match(r"^([1-4])([abc])?(?:\s|$)", text)
        if match:
            code = match.group(1) + (match.group(2) or "").upper()
            return code if code in STATUS_ORDER else None
        code, problem = normalise.plan_status(key)
        return code if code in STATUS_ORDER and problem is None else None

    # --- blocks ------------------------------------------------------------------------------------------
    def _block(self, index: int, block) -> _Block:
        block = block if isinstance(block, dict) else {}
        path = f"woning_blokken[{index + 1}]"
        name = str(block.get("naam") or block.get("name") or f"#{index + 1}")
        mutation = block.get("mutatiegegevens") if isinstance(block.get("mutatiegegevens"), dict) else {}
        kind = _mutation(mutation.get("mutatie_type"))
        if kind is None:
            self.warn(
                f"{path}.mutatiegegevens.mutatie_type",
                mutation.get("mutatie_type"),
                _("blok '%s': mutatietype ontbreekt of is onbekend (verwacht bouw of sloop); blok niet geteld.") % name,
            )
        amount, readable = _count(mutation.get("aantal"))
        if not readable:
            self.warn(
                f"{path}.mutatiegegevens.aantal", mutation.get("aantal"), _("blok '%s': aantal onleesbaar.") % name
            )
        end, readable = _day(block.get("einddatum"))
        if not readable:
            self.warn(f"{path}.einddatum", block.get("einddatum"), _("blok '%s': einddatum onleesbaar.") % name)
        result = _Block(name, path, kind, amount, end)
        result.shares = self._shares(result, mutation, block.get("waarde"))
        result.types = self._types(result, mutation, block.get("woning_type"))
        result.groups = block.get("doelgroep") if isinstance(block.get("doelgroep"), list) else []
        return result

    def _shares(self, block: _Block, mutation: dict, value) -> list[_Share]:
        """The export's list of ownership lines, or the template's one eigendom_type with one price."""
        lines = []
        if isinstance(value, list):
            for i, line in enumerate(v for v in value if isinstance(v, dict)):
                amount, readable = _count(line.get("aantal"))
                if not readable:
                    self.warn(
                        f"{block.path}.waarde[{i + 1}].aantal",
                        line.get("aantal"),
                        _("blok '%s': aantal bij eigendom onleesbaar.") % block.name,
                    )
                lines.append(_share(line.get("eigendom_type"), amount, line))
        elif mutation.get("eigendom_type"):
            lines.append(_share(mutation.get("eigendom_type"), block.amount, value if isinstance(value, dict) else {}))
        for i, line in enumerate(lines):
            if line.kind is not None and line.kind not in TENURE:
                self.warn(
                    f"{block.path}.eigendom_type",
                    line.kind,
                    _("blok '%(block)s': eigendomstype '%(kind)s' onbekend; als onbekend geteld.")
                    % {"block": block.name, "kind": line.kind},
                )
                lines[i] = _Share(None, line.amount)
        return lines

    def _types(self, block: _Block, mutation: dict, by_type) -> dict:
        """House types: the export's {eengezinswoning, meergezinswoning, onbekend} or the template's one type."""
        types: dict = {}
        if isinstance(by_type, dict):
            for key, raw in by_type.items():
                housing = HOUSE_TYPE.get(str(key).strip().upper())
                amount, readable = _count(raw)
                if housing is None or not readable:
                    self.warn(
                        f"{block.path}.woning_type.{key}",
                        raw,
                        _("blok '%(block)s': woningtype '%(key)s' niet te lezen; genegeerd.")
                        % {"block": block.name, "key": key},
                    )
                elif amount:
                    types[housing] = types.get(housing, 0) + amount
        single = mutation.get("woning_type")
        if single and not types:
            housing = HOUSE_TYPE.get(str(single).strip().upper())
            if housing is None:
                self.warn(
                    f"{block.path}.mutatiegegevens.woning_type",
                    single,
                    _("blok '%(block)s': woningtype '%(key)s' onbekend; als onbekend geteld.")
                    % {"block": block.name, "key": single},
                )
            elif block.amount:
                types[housing] = block.amount
        return types

    def _blocks(self, blocks: list[_Block]) -> None:
        matrix = {c: 0 for c in MATRIX}
        tenure = {"huur": 0, "koop": 0, "onbekend": 0}
        groups: dict = {}
        phasing: dict = {}
        demolitions = 0
        for block in blocks:
            if block.mutation == "sloop":
                demolitions += self._total(block) or 0
            elif block.mutation == "bouw":
                total = self._total(block)
                if not total:
                    continue
                self._count_block(block, total, matrix, tenure)
                self._count_groups(block, groups)
                if block.end:
                    year = str(block.end.year)
                    phasing[year] = phasing.get(year, 0) + total
        self.row.update(matrix)
        self.row["sloop"] = demolitions
        # Counts are filled for every project; the columns are carried when any project has the data.
        self.row.update({f"eigendom_{t}": n for t, n in tenure.items()})
        self.row.update({f"doelgroep_{g}": groups.get(g, 0) for g in TargetGroup.values})
        self.carried = {c for c, v in self.row.items() if v != "" and c not in TENURE_COLUMNS + GROUP_COLUMNS}
        if any(share.kind for block in blocks for share in block.shares):
            self.carried.update(TENURE_COLUMNS)
        if any(block.groups for block in blocks):
            self.carried.update(GROUP_COLUMNS)
        if phasing:
            self.row["fasering"] = ";".join(f"{y}:{n}" for y, n in sorted(phasing.items()))
            self.carried.add("fasering")

    def _total(self, block: _Block) -> int | None:
        """The block's aantal; without one, the larger of its breakdowns (ownership, house type)."""
        if block.amount is not None:
            return block.amount
        by_share = sum(s.amount or 0 for s in block.shares)
        by_type = sum(block.types.values())
        total = max(by_share, by_type)
        self.warn(
            f"{block.path}.mutatiegegevens.aantal",
            None,
            _("blok '%(block)s': aantal ontbreekt; %(total)d uit de uitsplitsing genomen.")
            % {"block": block.name, "total": total},
        )
        return total

    def _count_block(self, block: _Block, total: int, matrix: dict, tenure: dict) -> None:
        """Add one construction block to the segment × housing type matrix and the tenure counts."""
        segments: dict = {}
        stated = sum(s.amount or 0 for s in block.shares)
        if stated > total:
            self.warn(
                f"{block.path}.waarde",
                stated,
                _(
                    "blok '%(block)s': eigendom telt %(stated)d woningen, het blok %(total)d; eigendom en segment "
                    "van dit blok als onbekend geteld."
                )
                % {"block": block.name, "stated": stated, "total": total},
            )
            shares = []
        else:
            shares = block.shares
        for share in shares:
            if share.amount:
                segment = self._segment(block, share)
                segments[segment] = segments.get(segment, 0) + share.amount
                kind = TENURE.get(share.kind or "", "onbekend")
                tenure[kind] += share.amount
        rest = total - sum(segments.values())
        if rest:
            segments[Segment.ONBEKEND] = segments.get(Segment.ONBEKEND, 0) + rest
            tenure["onbekend"] += rest
        types = dict(block.types)
        typed = sum(types.values())
        if typed > total:
            self.warn(
                f"{block.path}.woning_type",
                typed,
                _(
                    "blok '%(block)s': woningtypes tellen %(typed)d woningen, het blok %(total)d; woningtype "
                    "als onbekend geteld."
                )
                % {"block": block.name, "typed": typed, "total": total},
            )
            types, typed = {}, 0
        if total > typed:
            types[HousingType.ONBEKEND] = types.get(HousingType.ONBEKEND, 0) + total - typed
        for (segment, housing), n in self._joint(block, segments, types).items():
            matrix[f"{segment}_{housing}"] += n

    def _joint(self, block: _Block, segments: dict, types: dict) -> dict:
        """Segment × housing type of one block. DIWI gives both only separately; the combination is exact
        when one of them has a single value. Otherwise the segments are kept with housing type onbekend."""
        if len(segments) == 1:
            (segment,) = segments
            return {(segment, h): n for h, n in types.items()}
        if len(types) == 1:
            (housing,) = types
            return {(s, housing): n for s, n in segments.items()}
        self.warn(
            f"{block.path}.woning_type",
            "",
            _(
                "blok '%s': DIWI geeft segment en woningtype alleen los; de segmenten zijn geteld met woningtype "
                "onbekend."
            )
            % block.name,
        )
        return {(s, HousingType.ONBEKEND): n for s, n in segments.items()}

    def _segment(self, block: _Block, share: _Share) -> str:
        """Segment of one ownership line: its price, else its category's name, else (corporation rent) sociale
        huur; otherwise onbekend — with a warning only when a price or category was given but says nothing."""
        tenure = TENURE.get(share.kind or "")
        if tenure is None:
            return Segment.ONBEKEND
        segment = price_segment(tenure, share.low, share.high, share.value)
        if segment:
            return segment
        if share.category:
            segment = category_segment(tenure, share.category)
            if segment and share.low is None and share.high is None:
                return segment
        if share.low is not None or share.high is not None or share.category:
            price = f"{share.category or ''} ({_euro(share.low)}–{_euro(share.high)})"
            self.warn(
                f"{block.path}.waarde",
                price.strip(),
                _("blok '%(block)s': prijs(categorie) '%(price)s' valt niet in één segment; segment onbekend.")
                % {"block": block.name, "price": price.strip()},
            )
            return Segment.ONBEKEND
        return Segment.SOCIALE_HUUR if share.kind == CORPORATION else Segment.ONBEKEND

    def _count_groups(self, block: _Block, groups: dict) -> None:
        for i, line in enumerate(g for g in block.groups if isinstance(g, dict)):
            name = str(line.get("doelgroep_categorie") or "").strip()
            amount, readable = _count(line.get("aantal"))
            if not amount:
                continue
            group = _target_group(name)
            if group:
                groups[group] = groups.get(group, 0) + amount
            elif normalise.simplify(name) not in NO_TARGET_GROUP:
                self.warn(
                    f"{block.path}.doelgroep[{i + 1}]",
                    name,
                    _("blok '%(block)s': doelgroep '%(name)s' heeft geen doelgroep in Bouwregie; niet geteld.")
                    % {"block": block.name, "name": name},
                )

    # --- geometry ----------------------------------------------------------------------------------------
    def _geometry(self, geometry) -> None:
        if not isinstance(geometry, dict):
            return
        try:
            found = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
            self.warn("geometry", geometry.get("type"), _("geometrie onleesbaar; niet gebruikt."))
            return
        self.geometry = None if found.is_empty else found


def _euro(amount: float | None) -> str:
    return "" if amount is None else f"€ {amount:,.2f}".replace(",", " ").replace(".", ",").replace(",00", "")


def _phase_number(key) -> int | None:
    return PHASES.get(normalise.simplify(key))


def _mutation(value) -> str | None:
    text = normalise.simplify(value) if value else ""
    return {"construction": "bouw", "bouw": "bouw", "demolition": "sloop", "sloop": "sloop"}.get(text)


def _share(kind, amount, price: dict) -> _Share:
    return _Share(
        str(kind).strip().upper() if kind else None,
        amount,
        _number(price.get("laag")),
        _number(price.get("hoog")),
        _number(price.get("waarde")),
        str(price.get("categorie")).strip() if price.get("categorie") else None,
    )


def _target_group(name: str) -> str | None:
    text = normalise.simplify(name)
    return next((group for pattern, group in TARGET_GROUP_WORDS if re.search(pattern, text)), None)
