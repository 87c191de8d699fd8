"""The rows of a delivered list → the ProjectData fields its profile provides, with every problem.

Only fields the list carries are returned, and of those only the cells that hold something: the
importer keeps every other field of an existing project as it was (a provincial list does not wipe
the milestones a table maintains; a quarterly update with only planned dates keeps the actual ones).
A cell holding the clear marker `#LEEG` clears the recorded value (docs/import.md).

The table is mapped a column at a time: a plan list repeats a few values (statuses, municipalities,
counts) thousands of times, and each distinct value of a column is normalised once. Problems are
appended per row in the order of the fields below, so a row's report reads like the row. What the
list contradicts in itself (a breakdown or phasing that does not add up to the total, demolition
written as a negative number) is a warning with the rule that was applied, never a refusal.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pyproj import Transformer
from shapely.geometry import mapping

from bouwregie.geo.geojson import check_geometries, rounded, rounded_geojson
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityNotFound
from bouwregie.ingest import normalise
from bouwregie.ingest.readers import Notice
from bouwregie.projects import bag_ids
from bouwregie.projects.enums import PlanStatus
from bouwregie.projects.rules import MilestoneData

CLEAR = normalise.CLEAR  # the explicit "clear this value" marker, see normalise.is_clear


@dataclass
class RowResult:
    row: int
    external_id: str | None
    projectcode: str | None
    fields: dict = field(default_factory=dict)  # ProjectData attribute -> value the row gives
    problems: list = field(default_factory=list)
    blank: set = field(default_factory=set)  # attributes the list carries but this row leaves empty
    # Cell-level changes merged into the recorded value: {"homes": {(segment, type): n | CLEAR},
    # "milestones": {(kind, "planned"|"actual"|"homes"): value | CLEAR}, "deliveries": tuple | CLEAR}
    cells: dict = field(default_factory=dict)
    totals: int | None = None  # the row's total homes, once read: breakdowns and phasing are fitted to it

    @property
    def rejected(self) -> bool:
        return any(p.severity == "fout" for p in self.problems)


def _text(value) -> str | None:
    """A cell as text: None when empty or the clear marker; 12.0 from a spreadsheet is '12'."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        return None if not text or (text[0] == "#" and text.upper() == normalise.CLEAR_MARKER) else text
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


class TableMapper:
    def __init__(self, binding, matcher, table, label: str = ""):
        """binding: where each meaning sits; label: the record of a split row this mapper reads
        (appended to each row's id as '<id>-<label>'), '' for one record per row."""
        self.b, self.matcher, self.table, self.label = binding, matcher, table, label
        self.n = len(table.rows)
        self._columns = [list(c) for c in zip(*table.rows, strict=False)] if table.rows else []
        self._columns += [[] for _ in range(len(table.columns) - len(self._columns))]
        self._constants()
        self.source_crs = table.crs or ""
        # GIS files: the reader already reprojected, repaired and bounds-checked every geometry.
        self._geojson = rounded_geojson(table.geometries) if table.geometries is not None else None
        self._provided = self._fields_provided()
        self._normalised: dict = {}
        self._spread: dict = {}
        self._counts: dict = {}
        self.file_notices: list[Notice] = []

    def _constants(self) -> None:
        """A profile's constants are columns every row has (a one-municipality list, "all hard"); a
        column in the file for the same field wins over the constant."""
        b = self.b
        for target, value in b.profile.constants.items():
            if target in b.fields:
                continue
            b.fields[target] = len(self._columns)
            b.columns = [*b.columns, _("(constante %s)") % target]
            self._columns.append([value] * self.n)

    def column(self, i: int | None) -> list:
        """The raw values of column i (None for every row when the profile did not find it)."""
        if i is None or i >= len(self._columns):
            return [None] * self.n
        return self._columns[i]

    def normalised(self, normaliser, i: int | None) -> list:
        """normaliser(value) for every row of column i, computing each distinct value once. A mapper
        serves one import in one language, so the translated reasons stay right."""
        key = (normaliser, i)
        if key not in self._normalised:
            memo, result = {}, []
            for value in self.column(i):
                try:
                    outcome = memo[value.__class__, value]  # 1, 1.0 and True stay apart
                except KeyError:
                    outcome = memo[value.__class__, value] = normaliser(value)
                except TypeError:  # unhashable
                    outcome = normaliser(value)
                result.append(outcome)
            self._normalised[key] = result
        return self._normalised[key]

    def provided(self) -> set[str]:
        """The ProjectData attributes this profile sets (all others are carried over)."""
        return self._provided

    def _fields_provided(self) -> set[str]:
        b = self.b
        result = {"name", "municipality", "homes", "lifecycle"}
        optional = {
            "plan_type": "plan_type",
            "plan_status": "plan_status",
            "demolitions": "demolitions",
            "bottlenecks": "bottlenecks",
            "bag_ids": "bag_ids",
            "parallel_plannen": "parallel_plannen",
            "phasing": "phasing",
        }
        result |= {attr for target, attr in optional.items() if target in b.fields}
        if b.periods:
            result.add("phasing")
        if b.tenure or b.segments:
            result.add("tenure")
        if b.groups:
            result.add("target_groups")
        if b.milestones or "oplevering_homes" in b.fields or "deelopleveringen" in b.fields:
            result.add("milestones")
        if "remark" in b.fields or "reference_date" in b.fields:
            result.add("source_info")
        if self._geojson is not None or "geometry_wkt" in b.fields or {"x", "y"} <= set(b.fields):
            result |= {"geometry", "source_crs"}
        return result

    def results(self) -> list[RowResult]:
        b = self.b
        self.rows = rows = [RowResult(number, None, None) for number in self.table.row_numbers]
        self._identities()

        names = self.column(b.fields.get("name"))
        for r, name in zip(rows, names, strict=True):
            if normalise.is_clear(name):
                self.problem(r, b.column_of("name"), name, str(CANNOT_CLEAR))
            r.fields["name"] = _text(name) or ""
            if not r.fields["name"]:
                del r.fields["name"]
                r.blank.add("name")  # an update keeps the name; a new project needs one (importer)

        self._municipalities()
        for target, normaliser in (
            ("plan_status", normalise.plan_status),
            ("plan_type", normalise.plan_type),
            ("lifecycle", normalise.lifecycle),
        ):
            if target in b.fields:
                i = b.fields[target]
                for r, raw, (value, warning) in zip(rows, self.column(i), self.normalised(normaliser, i), strict=True):
                    if normalise.is_blank(raw):
                        r.blank.add(target)
                        continue
                    if normalise.is_clear(raw):  # cleared: the field's own "nothing known"
                        r.fields[target] = normaliser(None)[0]
                        continue
                    r.fields[target] = value
                    if warning:
                        self.problem(r, b.column_of(target), raw, warning, "waarschuwing")
        if "plan_status_legend" in b.fields:
            self._status_legend()
        if "lifecycle" not in b.fields:  # a row in the list is a plan in the list (merge.apply_row)
            for r in rows:
                r.cells["in_list"] = True

        self._homes()
        if b.tenure:
            self._breakdown("tenure", b.tenure, "onbekend")
        if b.periods or "phasing" in b.fields:
            self._phasing()
        if "demolitions" in b.fields:
            self._demolitions()
        if "homes_gross" in b.fields:
            self._demolitions_from_gross()
        if "bottlenecks" in b.fields:
            i = b.fields["bottlenecks"]
            for r, raw, (found, warnings) in zip(
                rows, self.column(i), self.normalised(normalise.bottlenecks, i), strict=True
            ):
                if normalise.is_blank(raw):
                    r.blank.add("bottlenecks")
                    continue
                if normalise.is_clear(raw):
                    r.fields["bottlenecks"] = ()
                    continue
                r.fields["bottlenecks"] = found
                for warning in warnings:
                    self.problem(r, b.column_of("bottlenecks"), raw, warning, "waarschuwing")
        if "bag_ids" in b.fields:
            self._bag_ids()
        if "parallel_plannen" in b.fields:
            i = b.fields["parallel_plannen"]
            for r, raw, (value, error) in zip(rows, self.column(i), self.normalised(normalise.yes_no, i), strict=True):
                if normalise.is_blank(raw):
                    r.blank.add("parallel_plannen")
                    continue
                if normalise.is_clear(raw):
                    r.fields["parallel_plannen"] = False
                    continue
                if error:
                    self.problem(r, b.column_of("parallel_plannen"), raw, error)
                r.fields["parallel_plannen"] = bool(value)
        if b.groups:
            self._set_counts("target_groups", b.groups)
        if "milestones" in self._provided:
            self._milestones()
        if "source_info" in self._provided:
            self._source_info()
        if "geometry" in self._provided:
            self._geometries()
        if "source_crs" in b.fields:  # the CRS of the original delivery, kept through exports
            for r, value in zip(rows, self.column(b.fields["source_crs"]), strict=True):
                if _text(value):
                    r.fields["source_crs"] = _text(value)
        del self.rows
        return rows

    def _bag_ids(self) -> None:
        """Explicit BAG ids (projects.bag_ids): an empty cell keeps what is recorded, #LEEG clears it; one id
        that is not a verblijfsobject or pand identificatie refuses the row, naming the id."""
        i = self.b.fields["bag_ids"]
        column = self.b.column_of("bag_ids")
        for r, raw, (found, errors, warnings) in zip(
            self.rows, self.column(i), self.normalised(bag_ids.parse, i), strict=True
        ):
            if normalise.is_blank(raw):
                r.blank.add("bag_ids")
                continue
            if normalise.is_clear(raw):
                r.fields["bag_ids"] = ()
                continue
            r.fields["bag_ids"] = found
            for error in errors:
                self.problem(r, column, raw, error)
            for warning in warnings:
                self.problem(r, column, raw, warning, "waarschuwing")

    @staticmethod
    def problem(r: RowResult, column, value, reason, severity="fout"):
        r.problems.append(Notice(r.row, column, "" if value is None else str(value), reason, severity))

    def file_notice(self, column, value, reason, rows=()) -> None:
        """One notice for a whole column (a convention of the list, not a fault of one row)."""
        shown = ", ".join(str(n) for n in rows[:5]) + (_(" en %d meer") % (len(rows) - 5) if len(rows) > 5 else "")
        where = (ngettext(" (rij %s)", " (rijen %s)", len(rows)) % shown) if rows else ""
        self.file_notices.append(Notice(None, column, value, reason + where, "waarschuwing"))

    # --- identity ----------------------------------------------------------------------------------
    def _identities(self) -> None:
        """Each row's projectcode and external id. Of the id columns a profile names (ET_ID, then
        OBJECTID), the first that identifies rows is used: a column that is empty or holds one value
        for every row (an all-zero ET_ID) is not an identifier, which is said once."""
        b = self.b
        codes = self.column(b.fields.get("projectcode"))
        kinds = {i: self._id_kind(i) for i in b.id_candidates}
        # The first column that is an id at all: repeated values in it are errors of their rows, not a reason to
        # key the list on another column (the next delivery, corrected, would match nothing and double every plan).
        chosen = next((i for i in b.id_candidates if kinds[i][0] != "geen"), None)
        if chosen is None and b.id_candidates and "projectcode" not in b.fields:
            chosen = b.id_candidates[0]
        for i in b.id_candidates[: b.id_candidates.index(chosen)] if chosen is not None else b.id_candidates:
            _kind, value = kinds[i]
            reason = ID_CONSTANT
            self.file_notice(
                b.columns[i], value, str(reason) % (b.columns[chosen] if chosen is not None else "projectcode")
            )
        if chosen is not None and b.fields.get("external_id") != chosen:
            b.fields["external_id"] = chosen
        externals = self.column(chosen)
        suffix = f"-{self.label}" if self.label else ""
        for r, external, code in zip(self.rows, externals, codes, strict=True):
            r.external_id, r.projectcode = _text(external), _text(code)
            if r.external_id and suffix:
                r.external_id += suffix
            if not r.external_id and not r.projectcode:
                self.problem(
                    r, b.column_of("external_id"), None, _("Geen id: elke regel heeft een eigen id van de bron nodig.")
                )

    def _id_kind(self, i: int) -> tuple[str, str]:
        """('uniek' | 'dubbel' | 'geen', an example value): whether column i identifies the rows. Empty or one
        value for every row (an all-zero ET_ID) is no identifier; a column with repeated values identifies
        rows only when no other id column of the profile does."""
        values = [_text(v) for v in self.column(i)]
        filled = [v for v in values if v]
        if not filled or not any(v.strip("0") for v in filled) or (len(filled) > 1 and len(set(filled)) == 1):
            return "geen", filled[0] if filled else ""
        if len(filled) == len(values) and len(set(filled)) == len(filled):
            return "uniek", filled[0]
        duplicate = next(v for v, n in Counter(filled).items() if n > 1) if len(set(filled)) < len(filled) else ""
        return "dubbel", duplicate

    # --- municipality ------------------------------------------------------------------------------
    def _municipalities(self) -> None:
        """Resolve each row's municipality with its province (Bergen NH / Bergen L) and place (a split
        former municipality), each distinct combination once."""
        b = self.b
        i = b.fields.get("municipality")
        values, columns = list(self.column(i)), [b.column_of("municipality")] * self.n  # a copy: filled in below
        for other in b.municipality_candidates[1:]:  # a code column left empty: the name beside it says it
            name = b.columns[other]
            for p, (v, w) in enumerate(zip(values, self.column(other), strict=True)):
                if normalise.is_blank(v) and not normalise.is_blank(w):
                    values[p], columns[p] = w, name
        provinces = self.column(b.fields.get("province"))
        places = self.column(b.fields.get("place"))
        memo: dict = {}
        for r, value, column, province, place in zip(self.rows, values, columns, provinces, places, strict=True):
            if normalise.is_blank(value):
                r.blank.add("municipality")  # an update keeps it; a new project needs one (importer)
                continue
            if normalise.is_clear(value):
                self.problem(r, column, value, str(CANNOT_CLEAR))
                continue
            key = (value, province, place)  # the raw cells: each distinct combination is resolved once
            if key not in memo:
                memo[key] = self._municipality(str(value), _text(province), _text(place))
            code, warning, error = memo[key]
            if code:
                r.fields["municipality"] = code
            if warning or error:
                self.problem(r, column, value, warning or error, "waarschuwing" if warning else "fout")

    def _municipality(self, value, province=None, place=None) -> tuple[str, str | None, str | None]:
        """(code, warning, error) for one spelling of a municipality, via the core matcher."""
        try:
            match = self.matcher.resolve(value, province=province, place=place)
        except (MunicipalityNotFound, AmbiguousMunicipality) as error:
            return "", None, str(error)
        notes = []
        if match.via == "herindeling":
            notes.append(_("Voormalige gemeente: %s.") % match.note)
        elif match.via in ("woonplaats",) and match.note:
            notes.append(_("Voormalige gemeente: %s.") % match.note)
        if getattr(match, "warning", ""):
            notes.append(match.warning)
        return match.code, (" ".join(notes) or None), None

    # --- plan status legend ------------------------------------------------------------------------
    def _status_legend(self) -> None:
        """The IPO list's numeric legend (PSlegenda: 1 onherroepelijk, 2 vastgesteld, 3 in
        voorbereiding, 4 visie/optie, 5 onbekend) gives the status where the text does not, and is
        checked against it where both are given."""
        b = self.b
        i = b.fields["plan_status_legend"]
        texts = self.column(b.fields.get("plan_status"))
        for r, raw, text in zip(self.rows, self.column(i), texts, strict=True):
            legend = _text(raw)
            if not legend:
                continue
            status = LEGEND.get(legend.split(".")[0])
            if status is None:
                self.problem(r, b.column_of("plan_status_legend"), raw, _("Onbekende legendawaarde; niet gebruikt."),
                             "waarschuwing")  # fmt: skip
                continue
            text_status = r.fields.get("plan_status", PlanStatus.ONBEKEND)
            if text_status == PlanStatus.ONBEKEND:
                if status != PlanStatus.ONBEKEND:
                    r.fields["plan_status"] = status
                    r.blank.discard("plan_status")
                    column = b.column_of("plan_status")
                    said = _("Planstatus volgens de legenda (%(legend)s): %(status)s.")
                    said %= {"legend": legend, "status": status}
                    if not normalise.is_blank(text):  # an unrecognised text: its "opgeslagen als onbekend" no more
                        r.problems = [p for p in r.problems if p.column != column]
                        self.problem(r, column, text, said, "waarschuwing")
            elif legend.split(".")[0] not in LEGEND_GROUP.get(text_status, ()):
                self.problem(
                    r, b.column_of("plan_status_legend"), raw,
                    _("Legenda %(legend)s past niet bij planstatus %(status)s; de planstatus telt.")
                    % {"legend": legend, "status": text_status}, "waarschuwing",
                )  # fmt: skip

    # --- counts ------------------------------------------------------------------------------------
    def counts(self, i: int, default=None) -> list:
        """Column i as whole numbers of homes (default where empty, CLEAR where the cell says #LEEG);
        each unreadable cell a problem. With the profile's round_fractions, 12.5 is rounded (half up)
        with a warning instead of refused."""
        if (i, default) in self._counts:  # read once: a column's problems are reported once
            return self._counts[i, default]
        rounding = self.b.profile.round_fractions
        pairs = self.normalised(_count_or_clear_rounded if rounding else _count_or_clear, i)
        result = [default if number is None else number for number, _error in pairs]
        raw, column = self.column(i), self.b.columns[i] if i is not None and i < len(self.b.columns) else ""
        if any(error for _number, error in pairs):
            for p, (r, value, (number, error)) in enumerate(zip(self.rows, raw, pairs, strict=True)):
                if error and number is not None:  # rounded
                    self.problem(r, column, value, error, "waarschuwing")
                elif error:
                    self.problem(r, column, value, error)
                    result[p] = default
        self._counts[i, default] = result
        return result

    def _set_counts(self, attribute: str, indexes: dict) -> None:
        by_key = {key: self.counts(i) for key, i in indexes.items()}
        keys = list(by_key)
        for r, values in zip(self.rows, zip(*by_key.values(), strict=True), strict=True):
            if all(v is None for v in values):
                r.blank.add(attribute)
                continue
            r.fields[attribute] = {k: v for k, v in zip(keys, values, strict=True) if isinstance(v, int)}

    def _homes(self) -> None:
        b = self.b
        if b.matrix:
            self._matrix()
            return
        i = b.fields.get("homes_total")
        column = b.column_of("homes_total")
        totals = self.counts(i) if i is not None else [None] * self.n
        if i is None and not b.housing_types and not b.segments and b.periods:
            totals = self._period_totals()
        if b.segments:
            self._segments(totals)
            return
        types = {k: self.counts(j) for k, j in b.housing_types.items()}
        keys = list(types)
        type_names = {k: b.columns[i] for k, i in b.housing_types.items()}
        per_row = zip(*types.values(), strict=True) if types else [()] * self.n
        for r, total, typed_counts in zip(self.rows, totals, per_row, strict=True):
            if total is CLEAR:
                total = 0
            if isinstance(total, int) and total < 0:
                total = self._negative_total(r, column, total)
            stated = {k: v for k, v in zip(keys, typed_counts, strict=True) if isinstance(v, int)}
            if total is None and not stated:
                r.blank.add("homes")  # an update keeps the homes; a new project needs a number (importer)
                continue
            if total is None:
                total = sum(stated.values())
            by_type = self._fit(r, LABEL_TYPES, type_names, stated, total,
                                explicit_unknown="onbekend" in b.housing_types, fill_unknown=True)  # fmt: skip
            typed = {k: v for k, v in by_type.items() if v}
            r.fields["homes"] = {"onbekend": typed} if typed else {}
            r.totals = total

    def _negative_total(self, r, column, total: int) -> int:
        """A negative number of homes is a plan that demolishes more than it builds, netted by the list:
        no homes are added (0), with a warning naming the cell; its demolition is what the list's own
        demolition column says."""
        self.problem(r, column, total, _("Negatief aantal woningen (netto meer sloop dan nieuwbouw): als 0 woningen "
                                         "opgeslagen."), "waarschuwing")  # fmt: skip
        return 0

    def _period_totals(self) -> list:
        """Without a total column, a row's homes are the sum of its periods (negatives netted, at least 0)."""
        columns = [self.counts(i) for _period, i in self.b.periods]
        totals = []
        for values in zip(*columns, strict=True):
            given = [v for v in values if isinstance(v, int)]
            totals.append(max(sum(given), 0) if given else None)
        return totals

    def _matrix(self) -> None:
        """Homes per segment × housing type cell (our template): merged cell by cell into the record."""
        cells = [(key, self.counts(i)) for key, i in self.b.matrix.items()]
        for p, r in enumerate(self.rows):
            given = {key: counts[p] for key, counts in cells if counts[p] is not None}
            if not given:
                r.blank.add("homes")
                continue
            r.cells["homes"] = given

    def _segments(self, totals) -> None:
        """Total plus homes per segment (woningbouwkaart): a segment column counts as that segment with
        housing type onbekend; 'huur onbekend' / 'koop onbekend' are homes of unknown segment whose tenure
        is known; what the total has beyond the segments is segment onbekend."""
        b = self.b
        columns = {key: self.counts(i) for key, i in b.segments.items()}
        segment_names = {k: b.columns[i] for k, i in b.segments.items()}
        for p, r in enumerate(self.rows):
            stated = {k: v[p] for k, v in columns.items() if isinstance(v[p], int)}
            total = totals[p] if isinstance(totals[p], int) else None
            if total is None and not stated:
                r.blank.add("homes")
                continue
            if total is None:
                total = sum(stated.values())
            if total < 0:
                total = self._negative_total(r, b.column_of("homes_total"), total)
            fitted = self._fit(r, LABEL_SEGMENTS, segment_names, stated, total,
                               explicit_unknown=True, fill_unknown=True)  # fmt: skip
            homes: dict = defaultdict(dict)
            for key, n in fitted.items():
                segment = "onbekend" if key in ("huur_onbekend", "koop_onbekend") else key
                if n:
                    homes[segment]["onbekend"] = homes[segment].get("onbekend", 0) + n
            r.fields["homes"] = dict(homes)
            huur = sum(fitted.get(k, 0) for k in RENT_KEYS)
            koop = sum(fitted.get(k, 0) for k in OWNER_KEYS)
            r.fields["tenure"] = {k: v for k, v in (("huur", huur), ("koop", koop)) if v}
            r.totals = total

    def _fit(self, r, label, names: dict, stated: dict, total: int, explicit_unknown: bool, fill_unknown: bool) -> dict:
        """A breakdown fitted to the row's total (the total is what the list counts). More than the total:
        scaled down to it in proportion (largest remainder), with a warning. Less: the rest is 'onbekend'
        (fill_unknown) or stays implicit; a warning only when the list claims completeness with a column
        for 'onbekend'."""
        given = sum(stated.values())
        if given == total and (not stated or min(stated.values()) >= 0):  # the common case: nothing to fit
            return dict(stated)
        columns = [names[k] for k, v in stated.items() if v]  # the cells that say something
        negative = {k: v for k, v in stated.items() if v < 0}
        if negative:
            for key, value in negative.items():
                self.problem(r, names[key], value,
                             _("%s: negatief aantal telt als 0.") % label, "waarschuwing")  # fmt: skip
            stated = {k: max(v, 0) for k, v in stated.items()}
            given = sum(stated.values())
        if given > total:
            fitted = normalise.proportional(stated, total)
            self.problem(
                r, " + ".join(columns), given,
                _("%(label)s tellen op tot %(given)d, meer dan het totaal (%(total)d); naar rato teruggebracht tot het "
                  "totaal.")
                % {"label": label, "given": given, "total": total}, "waarschuwing",
            )  # fmt: skip
            return fitted
        result = dict(stated)
        if given < total:
            if explicit_unknown and given:
                self.problem(
                    r, " + ".join(columns), given,
                    _("%(label)s tellen op tot %(given)d, minder dan het totaal (%(total)d); de rest telt als "
                      "onbekend.") % {"label": label, "given": given, "total": total}, "waarschuwing",
                )  # fmt: skip
            if fill_unknown:
                result["onbekend"] = result.get("onbekend", 0) + total - given
        return result

    def _breakdown(self, attribute: str, indexes: dict, unknown_key: str) -> None:
        """Tenure (huur/koop/onbekend) against the row's total: fitted like the housing types; what the
        list does not state stays implicit (total − stated), as before."""
        b = self.b
        by_key = {key: self.counts(i) for key, i in indexes.items()}
        names = {k: b.columns[i] for k, i in indexes.items()}
        for p, r in enumerate(self.rows):
            stated = {k: v[p] for k, v in by_key.items() if isinstance(v[p], int)}
            if not stated and not any(v[p] is CLEAR for v in by_key.values()):
                r.blank.add(attribute)
                continue
            if r.totals is None:
                r.fields[attribute] = {k: v for k, v in stated.items() if v}
                continue
            fitted = self._fit(r, LABEL_TENURE, names, stated, r.totals,
                               explicit_unknown=unknown_key in indexes, fill_unknown=False)  # fmt: skip
            r.fields[attribute] = {k: v for k, v in fitted.items() if v > 0}

    def _demolitions(self) -> None:
        """Demolition as a positive count. Lists that write it negative (the IPO layout's Sloop: −100)
        mean the same homes: read as 100, said once for the column."""
        b = self.b
        negative_rows = []
        for r, count in zip(self.rows, self.counts(b.fields["demolitions"]), strict=True):
            if count is None:
                r.blank.add("demolitions")
                continue
            if count is CLEAR:
                count = 0
            if count < 0:
                negative_rows.append(r.row)
                count = -count
            r.fields["demolitions"] = count
        if negative_rows:
            self.file_notice(
                b.column_of("demolitions"), "",
                _("Sloop als negatief getal geschreven (%d regels); als aantal te slopen woningen gelezen.")
                % len(negative_rows), negative_rows,
            )  # fmt: skip

    def _demolitions_from_gross(self) -> None:
        """Bruto (before demolition) minus netto plan capacity is the demolition of the plan."""
        b = self.b
        for r, gross in zip(self.rows, self.counts(b.fields["homes_gross"]), strict=True):
            net = r.totals
            if not isinstance(gross, int) or net is None:
                continue
            if gross < net:
                self.problem(r, b.column_of("homes_gross"), gross,
                             _("Bruto (%(gross)d) is minder dan netto (%(net)d); geen sloop afgeleid.")
                             % {"gross": gross, "net": net}, "waarschuwing")  # fmt: skip
                continue
            r.fields["demolitions"] = gross - net
            r.blank.discard("demolitions")

    def _spread_once(self, homes: int, first: int, last: int) -> dict[str, int]:
        key = (homes, first, last)
        if key not in self._spread:
            self._spread[key] = normalise.spread(*key)
        return self._spread[key]

    def _phasing(self) -> None:
        """Homes per delivery year from period columns (spread evenly, docs/import.md) or a
        'jaar:aantal;…' text. Negative period counts are netted with the other columns of the same
        years (the list netted demolition or a correction into them); what stays negative counts as 0.
        Phasing that exceeds the row's total is scaled down to it in proportion; phasing below a total
        leaves the rest without a delivery year. Each with a warning naming the file's own cells."""
        b = self.b
        keys = [(period.first, period.last) for period, _i in b.periods]
        names = [b.columns[i] for _period, i in b.periods]
        columns = [self.counts(i) for _period, i in b.periods]
        texts = self.column(b.fields.get("phasing"))
        per_row = zip(*columns, strict=True) if columns else [()] * self.n
        for r, raw_text, values in zip(self.rows, texts, per_row, strict=True):
            netted: dict = {}
            given_any = False
            for key, value, name in zip(keys, values, names, strict=True):
                if value is None:
                    continue
                given_any = True
                if value is CLEAR or not value:
                    continue
                if value < 0:
                    self.problem(r, name, value, str(NEGATIVE_PERIOD), "waarschuwing")
                netted[key] = netted.get(key, 0) + value
            text = _text(raw_text)  # None when empty or the clear marker
            if not given_any and text is None and not normalise.is_clear(raw_text):
                r.blank.add("phasing")  # nothing said: an update keeps the recorded phasing
                continue
            netted = {key: homes for key, homes in netted.items() if homes > 0}
            total = r.totals
            phased_sum = sum(netted.values())
            if total is not None and phased_sum > total:
                netted = normalise.proportional(netted, total)
                said = [n for n, v in zip(names, values, strict=True) if v and v is not CLEAR]
                self.problem(
                    r, " + ".join(said), phased_sum,
                    _("Fasering (%(sum)d) is meer dan het totaal (%(total)d); naar rato teruggebracht tot het totaal.")
                    % {"sum": phased_sum, "total": total}, "waarschuwing",
                )  # fmt: skip
            phasing: dict[str, int] = {}
            for (first, last), homes in netted.items():
                if homes and first is not None:
                    for year, n in self._spread_once(homes, first, last).items():
                        phasing[year] = phasing.get(year, 0) + n
            if text:
                for part in text.split(";"):
                    match = re.fullmatch(r"\s*(\d{4})\s*:\s*(\d+)\s*", part)
                    if not match:
                        self.problem(
                            r, b.column_of("phasing"), text, _("Fasering '%s' verwacht als 'jaar:aantal;…'.") % part
                        )
                        continue
                    phasing[match.group(1)] = phasing.get(match.group(1), 0) + int(match.group(2))
            r.fields["phasing"] = dict(sorted(phasing.items()))

    # --- milestones --------------------------------------------------------------------------------
    def _milestones(self) -> None:
        """Milestone dates cell by cell: an empty cell keeps the recorded date (a quarterly update with
        only planned dates keeps the actual ones), #LEEG clears it."""
        b = self.b
        dates = {
            key: (b.columns[i], self.column(i), self.normalised(normalise.day, i)) for key, i in b.milestones.items()
        }
        i = b.fields.get("oplevering_homes")
        delivered = self.counts(i) if i is not None else [None] * self.n
        parts = self.column(b.fields.get("deelopleveringen"))
        for p, r in enumerate(self.rows):
            cells = {}
            for (kind, key), (column, raw, days) in dates.items():
                if normalise.is_clear(raw[p]):
                    cells[kind, key] = CLEAR
                    continue
                day, error = days[p]
                if error and key == "planned" and re.fullmatch(r"(19|20)\d\d", str(_text(raw[p]))):
                    day = date(int(_text(raw[p])), 12, 31)  # planned "2027": by the end of 2027
                    self.problem(r, column, raw[p], str(YEAR_AS_LAST_DAY) % day.isoformat(), "waarschuwing")
                elif error:
                    self.problem(r, column, raw[p], error)
                if day is not None:
                    cells[kind, key] = day
            if delivered[p] is not None:
                cells["oplevering", "homes"] = delivered[p]
            if cells:
                r.cells["milestones"] = cells
            part = parts[p]
            if normalise.is_clear(part):
                r.cells["deliveries"] = CLEAR
            elif _text(part):
                r.cells["deliveries"] = tuple(self._deliveries(r, part))

    def _deliveries(self, r: RowResult, text) -> list:
        """Partial deliveries written as 'volgnr|gepland|werkelijk|woningen;…'."""
        column, result = self.b.column_of("deelopleveringen"), []
        for part in (_text(text) or "").split(";"):
            if not part.strip():
                continue
            pieces = [p.strip() for p in part.split("|")]
            if len(pieces) != 4 or not pieces[0].isdigit():
                self.problem(
                    r, column, part, _("Deeloplevering '%s' verwacht als 'volgnr|gepland|werkelijk|woningen'.") % part
                )
                continue
            planned, e1 = normalise.day(pieces[1])
            actual, e2 = normalise.day(pieces[2])
            homes, e3 = normalise.count(pieces[3])
            if e3:
                self.problem(r, column, pieces[3], e3)
            for error in (e1, e2):
                if error:
                    self.problem(r, column, part, error)
            result.append(MilestoneData("oplevering", planned, actual, homes, int(pieces[0])))
        return result

    def _source_info(self) -> None:
        """The source's remark and reference date. A bare year ('2020') is kept as the year, with a warning."""
        b = self.b
        i = b.fields.get("reference_date")
        remarks = self.column(b.fields.get("remark"))
        for r, raw, (reference, error), remark in zip(
            self.rows, self.column(i), self.normalised(normalise.day, i), remarks, strict=True
        ):
            cells = {}
            if normalise.is_clear(remark):
                cells["opmerking"] = CLEAR
            elif not normalise.is_blank(remark):
                cells["opmerking"] = _text(remark)
            if normalise.is_clear(raw):
                cells["peildatum"] = CLEAR
            elif reference:
                cells["peildatum"] = reference.isoformat()
            elif error and (year := _text(raw)) and re.fullmatch(r"(19|20)\d\d", year):
                cells["peildatum"] = year
                self.problem(r, b.column_of("reference_date"), raw, str(ONLY_A_YEAR), "waarschuwing")
            elif error:
                self.problem(r, b.column_of("reference_date"), raw, error, "waarschuwing")
            if cells:  # merged key by key into the recorded source_info (merge.apply_row)
                r.cells["source_info"] = cells

    def _geometries(self) -> None:
        if self._geojson is not None:  # a feature without geometry keeps the recorded one
            for r, geometry in zip(self.rows, self._geojson, strict=True):
                if geometry is None:
                    r.blank.update(("geometry", "source_crs"))
                else:
                    r.fields["geometry"], r.fields["source_crs"] = geometry, self.source_crs
            return
        b = self.b
        wkt, xs, ys = (self.column(b.fields.get(t)) for t in ("geometry_wkt", "x", "y"))
        # Built here, not up front: a transformer costs 30 ms and GIS files (reprojected by the reader) need none.
        self._xy = Transformer.from_crs(b.profile.coordinates_crs, 4326, always_xy=True)
        self._wkt = (
            None
            if b.profile.wkt_crs in ("EPSG:4326", "OGC:CRS84")
            else Transformer.from_crs(b.profile.wkt_crs, 4326, always_xy=True)
        )
        for r, text, x, y in zip(self.rows, wkt, xs, ys, strict=True):
            if normalise.is_clear(text) or (normalise.is_clear(x) and normalise.is_clear(y)):
                r.fields["geometry"], r.fields["source_crs"] = None, ""
            elif normalise.is_blank(text) and normalise.is_blank(x) and normalise.is_blank(y):
                r.blank.update(("geometry", "source_crs"))
            else:
                r.fields["geometry"], r.fields["source_crs"] = self._geometry(r, text, x, y)

    def _geometry(self, r: RowResult, text, raw_x, raw_y):
        """One row's geometry from WKT (in the profile's CRS) or x/y columns, as rounded WGS84 GeoJSON."""
        geometry = None

        def problem(column, value, reason, severity="fout"):
            self.problem(r, column, value, reason, severity)

        if "geometry_wkt" in self.b.fields and not normalise.is_blank(text):
            crs = self.b.profile.wkt_crs
            try:
                geometry = shapely.from_wkt(str(text))
            except shapely.errors.GEOSException:
                problem(self.b.column_of("geometry_wkt"), text, _("Geen geldige WKT-geometrie."))
                return None, ""
            if self._wkt is not None:
                geometry = shapely.transform(geometry, lambda xy: _apply(self._wkt, xy))
        elif {"x", "y"} <= set(self.b.fields):
            x, ex = _coordinate(raw_x)
            y, ey = _coordinate(raw_y)
            crs = self.b.profile.coordinates_crs
            if ex or ey:
                problem(self.b.column_of("x"), f"{raw_x}, {raw_y}", ex or ey)
                return None, ""
            if x is None or y is None:
                return None, ""
            geometry = shapely.Point(*self._xy.transform(x, y))
        if geometry is None or geometry.is_empty:
            return None, ""
        # The one check of every geometry written (geo.geojson: type, finite, size, in the Netherlands, valid).
        ((geometry, repair, refused),) = check_geometries([geometry])
        if refused is not None:
            problem("geometrie", refused.value, refused.reason)
            return None, ""
        if repair is not None:
            problem("geometrie", repair, _("Ongeldige geometrie hersteld (make_valid)."), "waarschuwing")
        return rounded(mapping(geometry)), crs


# IPO plan status legend (PSlegenda) → status where the text gives none: 1 onherroepelijk and 2
# vastgesteld are hard without saying which letter, 4 visie/optie is soft (4A or 4B), 5 onbekend.
LEGEND = {"1": PlanStatus.HARD, "2": PlanStatus.HARD, "3": PlanStatus.IN_VOORBEREIDING, "4": PlanStatus.ZACHT,
          "5": PlanStatus.ONBEKEND}  # fmt: skip
LEGEND_GROUP = {"1A": "1", "1B": "1", "1C": "1", "2A": "2", "2B": "2", "2C": "2", "3": "3", "4A": "4", "4B": "4",
                "hard": "12", "zacht": "34"}  # fmt: skip
# Translated when a row needs the text, not once per row (an import maps tens of thousands of rows).
LABEL_TYPES = gettext_lazy("Woningtypes")
LABEL_SEGMENTS = gettext_lazy("Segmenten")
LABEL_TENURE = gettext_lazy("Huur/koop")
ONLY_A_YEAR = gettext_lazy("Alleen een jaar als datum; als jaar bewaard.")
NEGATIVE_PERIOD = gettext_lazy(
    "Negatief aantal in een opleverperiode: verrekend met de andere kolommen van dezelfde periode; wat negatief "
    "blijft, telt als 0."
)
YEAR_AS_LAST_DAY = gettext_lazy("Alleen een jaar als geplande datum: gelezen als %s (uiterlijk in dat jaar).")
CANNOT_CLEAR = gettext_lazy("Een project houdt altijd een naam en een gemeente: #LEEG kan hier niet.")
ID_CONSTANT = gettext_lazy("Kolom is leeg of heeft voor elke regel dezelfde waarde: geen id; %s gebruikt.")
RENT_KEYS = ("sociale_huur", "middenhuur", "vrije_sector_huur", "huur_onbekend")
OWNER_KEYS = ("betaalbare_koop", "dure_koop", "koop_onbekend")


def _count_or_clear(value):
    """normalise.count, or (CLEAR, None) for the clear marker: decided once per distinct value."""
    return (CLEAR, None) if normalise.is_clear(value) else normalise.count(value)


def _count_or_clear_rounded(value):
    return (CLEAR, None) if normalise.is_clear(value) else normalise.count_rounded(value)


def _apply(transformer, xy):
    import numpy as np

    return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))


def _coordinate(value):
    if normalise.is_blank(value):
        return None, None
    try:
        return float(str(value).replace(",", ".")), None
    except ValueError:
        return None, _("'%s' is geen coördinaat.") % value
