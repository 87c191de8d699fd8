"""The rows of a delivered list → the ProjectData fields its profile provides, with every problem.

Only fields the profile covers are returned; the importer keeps all other fields of an existing
project as they were (a provincial list does not wipe the milestones a table maintains).

The table is mapped a column at a time: a plan list repeats a few values (statuses, municipalities,
counts) thousands of times, and each distinct value of a column is normalised once. Problems are
appended per row in the order of the fields below, so a row's report reads like the row.
"""

import re
from dataclasses import dataclass, field

import shapely
from django.utils.translation import gettext as _
from pyproj import Transformer
from shapely.geometry import mapping

from bouwregie.geo.geojson import rounded, rounded_geojson
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityNotFound
from bouwregie.ingest import normalise
from bouwregie.ingest.readers import Notice
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.milestones import MILESTONE_CODES
from bouwregie.projects.rules import MilestoneData


@dataclass
class RowResult:
    row: int
    external_id: str | None
    projectcode: str | None
    fields: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(p.severity == "fout" for p in self.problems)


def _text(value) -> str | None:
    if normalise.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TableMapper:
    def __init__(self, binding, matcher, table):
        self.b, self.matcher, self.table = binding, matcher, table
        self.n = len(table.rows)
        self._columns = [list(c) for c in zip(*table.rows, strict=False)] if table.rows else []
        self.source_crs = table.crs or ""
        # GIS files: the reader already reprojected, repaired and bounds-checked every geometry.
        self._geojson = rounded_geojson(table.geometries) if table.geometries is not None else None
        self._provided = self._fields_provided()
        self._normalised: dict = {}
        self._spread: dict = {}

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
            "parallel_plannen": "parallel_plannen",
            "phasing": "phasing",
        }
        result |= {attr for target, attr in optional.items() if target in b.fields}
        if b.periods:
            result.add("phasing")
        if b.tenure:
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

        externals = self.column(b.fields.get("external_id"))
        codes = self.column(b.fields.get("projectcode"))
        names = self.column(b.fields.get("name"))
        for r, external, code, name in zip(rows, externals, codes, names, strict=True):
            r.external_id, r.projectcode = _text(external), _text(code)
            if not r.external_id and not r.projectcode:
                self.problem(
                    r, b.column_of("external_id"), None, _("Geen id: elke regel heeft een eigen id van de bron nodig.")
                )
            r.fields["name"] = _text(name) or ""
            if not r.fields["name"]:
                self.problem(r, b.column_of("name"), None, _("Projectnaam ontbreekt."))

        i = b.fields.get("municipality")
        for r, value, match in zip(rows, self.column(i), self.normalised(self._municipality, i), strict=True):
            code, warning, error = match
            r.fields["municipality"] = code
            if warning or error:
                self.problem(
                    r, b.column_of("municipality"), value, warning or error, "waarschuwing" if warning else "fout"
                )

        for target, normaliser in (
            ("plan_status", normalise.plan_status),
            ("plan_type", normalise.plan_type),
            ("lifecycle", normalise.lifecycle),
        ):
            if target in b.fields:
                i = b.fields[target]
                for r, raw, (value, warning) in zip(rows, self.column(i), self.normalised(normaliser, i), strict=True):
                    r.fields[target] = value
                    if warning:
                        self.problem(r, b.column_of(target), raw, warning, "waarschuwing")
        if "lifecycle" not in b.fields:
            for r in rows:
                r.fields["lifecycle"] = Lifecycle.ACTIEF

        self._homes()
        if b.tenure:
            # Homes whose tenure the list does not state stay implicit (total minus stated).
            self._set_counts("tenure", b.tenure)
        if b.periods or "phasing" in b.fields:
            self._phasing()
        if "demolitions" in b.fields:
            for r, count in zip(rows, self.counts(b.fields["demolitions"], 0), strict=True):
                r.fields["demolitions"] = count
        if "bottlenecks" in b.fields:
            i = b.fields["bottlenecks"]
            for r, raw, (found, warnings) in zip(
                rows, self.column(i), self.normalised(normalise.bottlenecks, i), strict=True
            ):
                r.fields["bottlenecks"] = found
                for warning in warnings:
                    self.problem(r, b.column_of("bottlenecks"), raw, warning, "waarschuwing")
        if "parallel_plannen" in b.fields:
            i = b.fields["parallel_plannen"]
            for r, raw, (value, error) in zip(rows, self.column(i), self.normalised(normalise.yes_no, i), strict=True):
                if error:
                    self.problem(r, b.column_of("parallel_plannen"), raw, error)
                r.fields["parallel_plannen"] = bool(value)
        if b.groups:
            self._set_counts("target_groups", b.groups)
        if "milestones" in self._provided:
            self._milestones()
        if "source_info" in self._provided:
            i = b.fields.get("reference_date")
            remarks = self.column(b.fields.get("remark"))
            for r, raw, (reference, error), remark in zip(
                rows, self.column(i), self.normalised(normalise.day, i), remarks, strict=True
            ):
                if error:
                    self.problem(r, b.column_of("reference_date"), raw, error, "waarschuwing")
                r.fields["source_info"] = {
                    "opmerking": _text(remark) or "",
                    "peildatum": reference.isoformat() if reference else "",
                }
        if "geometry" in self._provided:
            self._geometries()
        if "source_crs" in b.fields:  # the CRS of the original delivery, kept through exports
            for r, value in zip(rows, self.column(b.fields["source_crs"]), strict=True):
                if _text(value):
                    r.fields["source_crs"] = _text(value)
        del self.rows
        return rows

    @staticmethod
    def problem(r: RowResult, column, value, reason, severity="fout"):
        r.problems.append(Notice(r.row, column, "" if value is None else str(value), reason, severity))

    def counts(self, i: int, default=None) -> list:
        """Column i as whole numbers of homes (default where empty); each unreadable cell a problem."""
        pairs = self.normalised(normalise.count, i)
        result = [default if number is None else number for number, _error in pairs]
        if any(error for _number, error in pairs):
            raw, column = self.column(i), self.b.columns[i]
            for r, value, (_number, error) in zip(self.rows, raw, pairs, strict=True):
                if error:
                    self.problem(r, column, value, error)
        return result

    def _municipality(self, value) -> tuple[str, str | None, str | None]:
        """(code, warning, error) for one spelling of a municipality, via the core matcher."""
        try:
            match = self.matcher.resolve("" if value is None else str(value))
        except (MunicipalityNotFound, AmbiguousMunicipality) as error:
            return "", None, str(error)
        return match.code, (_("Voormalige gemeente: %s.") % match.note if match.via == "herindeling" else None), None

    def _set_counts(self, attribute: str, indexes: dict) -> None:
        by_key = {key: self.counts(i, 0) for key, i in indexes.items()}
        keys = list(by_key)
        for r, values in zip(self.rows, zip(*by_key.values(), strict=True), strict=True):
            r.fields[attribute] = dict(zip(keys, values, strict=True))

    def _homes(self) -> None:
        b = self.b
        if b.matrix:
            cells = [(segment, housing, self.counts(i, 0)) for (segment, housing), i in b.matrix.items()]
            for p, r in enumerate(self.rows):
                homes: dict = {}
                for segment, housing, counts in cells:
                    if counts[p]:
                        homes.setdefault(segment, {})[housing] = counts[p]
                r.fields["homes"] = homes
            return
        i = b.fields.get("homes_total")
        totals = self.counts(i) if i is not None else [None] * self.n
        types = {k: self.counts(j, 0) for k, j in b.housing_types.items()}
        keys = list(types)
        column = b.column_of("homes_total")
        per_row = zip(*types.values(), strict=True) if types else [()] * self.n
        for r, total, typed_counts in zip(self.rows, totals, per_row, strict=True):
            if total is not None and total < 0:
                self.problem(r, column, total, _("Aantal woningen mag niet negatief zijn (%d).") % total)
                r.fields["homes"] = {}
                continue
            by_type = dict(zip(keys, typed_counts, strict=True))
            typed = sum(typed_counts)
            if total is None:
                if not keys:
                    self.problem(r, column, None, _("Aantal woningen ontbreekt."))
                total = typed
            if typed > total:
                too_many = _("Woningtypes (%(typed)d) zijn meer dan het totaal (%(total)d).")
                self.problem(r, column, total, too_many % {"typed": typed, "total": total})
            elif total > typed:
                by_type["onbekend"] = by_type.get("onbekend", 0) + total - typed
            r.fields["homes"] = {"onbekend": {k: v for k, v in by_type.items() if v}}

    def _spread_once(self, homes: int, period) -> dict[str, int]:
        key = (homes, period.first, period.last)
        if key not in self._spread:
            self._spread[key] = normalise.spread(*key)
        return self._spread[key]

    def _phasing(self) -> None:
        b = self.b
        periods = [(period, self.counts(i, 0)) for period, i in b.periods]
        texts = self.column(b.fields.get("phasing"))
        for p, (r, text) in enumerate(zip(self.rows, texts, strict=True)):
            phasing: dict[str, int] = {}
            for period, counts in periods:
                if counts[p] and period.first is not None:
                    for year, homes in self._spread_once(counts[p], period).items():
                        phasing[year] = phasing.get(year, 0) + homes
            text = _text(text)
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

    def _milestones(self) -> None:
        b = self.b
        dates = {
            key: (b.columns[i], self.column(i), self.normalised(normalise.day, i)) for key, i in b.milestones.items()
        }
        i = b.fields.get("oplevering_homes")
        delivered = self.counts(i) if i is not None else [None] * self.n
        parts = self.column(b.fields.get("deelopleveringen"))
        for p, r in enumerate(self.rows):
            result = []
            for kind in MILESTONE_CODES:
                found = {}
                for key in ("planned", "actual"):
                    if (kind, key) in dates:
                        column, raw, days = dates[kind, key]
                        found[key], error = days[p]
                        if error:
                            self.problem(r, column, raw[p], error)
                homes = delivered[p] if kind == "oplevering" else None
                if found.get("planned") or found.get("actual") or homes:
                    result.append(MilestoneData(kind, found.get("planned"), found.get("actual"), homes))
            result.extend(self._deliveries(r, parts[p]))
            r.fields["milestones"] = tuple(result)

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

    def _geometries(self) -> None:
        if self._geojson is not None:
            for r, geometry in zip(self.rows, self._geojson, strict=True):
                r.fields["geometry"], r.fields["source_crs"] = geometry, (self.source_crs if geometry else "")
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
        if not geometry.is_valid:
            problem(
                "geometrie",
                shapely.is_valid_reason(geometry),
                _("Ongeldige geometrie hersteld (make_valid)."),
                "waarschuwing",
            )
            geometry = shapely.make_valid(geometry)
        minx, miny, maxx, maxy = geometry.bounds
        if not (3.0 <= minx and maxx <= 7.4 and 50.6 <= miny and maxy <= 53.8):
            problem(
                "geometrie",
                f"{minx:.4f}, {miny:.4f}",
                _("Ligging buiten Nederland; geometrie niet opgeslagen."),
            )
            return None, ""
        return rounded(mapping(geometry)), crs


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
