"""One row of a delivered list → the ProjectData fields its profile provides, with every problem.

Only fields the profile covers are returned; the importer keeps all other fields of an existing
project as they were (a provincial list does not wipe the milestones a table maintains).
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


def _spread(period: tuple[int, int, int]) -> dict[str, int]:
    return normalise.spread(*period)


def _text(value) -> str | None:
    if normalise.is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowMapper:
    def __init__(self, binding, matcher, geometries=None, source_crs=""):
        self.b, self.matcher, self.geometries, self.source_crs = binding, matcher, geometries, source_crs
        profile = binding.profile
        self._xy = Transformer.from_crs(profile.coordinates_crs, 4326, always_xy=True)
        self._wkt = (
            None
            if profile.wkt_crs in ("EPSG:4326", "OGC:CRS84")
            else Transformer.from_crs(profile.wkt_crs, 4326, always_xy=True)
        )
        # GIS files: the reader already reprojected, repaired and bounds-checked every geometry.
        self._geojson = rounded_geojson(geometries) if geometries is not None else None
        self._provided = self._fields_provided()
        self._memo: dict = {}

    def once(self, normaliser, value):
        """Plan lists repeat a few values thousands of times: normalise each distinct value once.
        A mapper serves one import in one language, so the translated reasons stay right."""
        key = (normaliser, type(value), value)
        try:
            return self._memo[key]
        except KeyError:
            result = self._memo[key] = normaliser(value)
            return result
        except TypeError:  # unhashable
            return normaliser(value)

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
        if self.geometries is not None or "geometry_wkt" in b.fields or {"x", "y"} <= set(b.fields):
            result |= {"geometry", "source_crs"}
        return result

    def map(self, position: int, row_number: int, values: list) -> RowResult:
        b = self.b
        result = RowResult(row_number, None, None)

        def raw(target):
            i = b.fields.get(target)
            return values[i] if i is not None else None

        def problem(column, value, reason, severity="fout"):
            result.problems.append(Notice(row_number, column, "" if value is None else str(value), reason, severity))

        def counted(column, value, default=None):
            number, error = self.once(normalise.count, value)
            if error:
                problem(column, value, error)
            return default if number is None else number

        result.external_id = _text(raw("external_id"))
        result.projectcode = _text(raw("projectcode"))
        if not result.external_id and not result.projectcode:
            problem(
                b.column_of("external_id"),
                None,
                _("Geen id: elke regel heeft een eigen id van de bron nodig."),
            )
        f = result.fields
        f["name"] = _text(raw("name")) or ""
        if not f["name"]:
            problem(b.column_of("name"), None, _("Projectnaam ontbreekt."))
        municipality = raw("municipality")
        try:
            match = self.matcher.resolve("" if municipality is None else str(municipality))
            f["municipality"] = match.code
            if match.via == "herindeling":
                problem(
                    b.column_of("municipality"),
                    municipality,
                    _("Voormalige gemeente: %s.") % match.note,
                    "waarschuwing",
                )
        except (MunicipalityNotFound, AmbiguousMunicipality) as error:
            problem(b.column_of("municipality"), municipality, str(error))
            f["municipality"] = ""

        for target, normaliser in (
            ("plan_status", normalise.plan_status),
            ("plan_type", normalise.plan_type),
            ("lifecycle", normalise.lifecycle),
        ):
            if target in b.fields:
                value, warning = self.once(normaliser, raw(target))
                f[target] = value
                if warning:
                    problem(b.column_of(target), raw(target), warning, "waarschuwing")
        f.setdefault("lifecycle", Lifecycle.ACTIEF)

        self._homes(values, raw, f, problem, counted)
        if b.tenure:
            # Homes whose tenure the list does not state stay implicit (total minus stated).
            f["tenure"] = {k: counted(b.columns[i], values[i], 0) for k, i in b.tenure.items()}
        if b.periods or "phasing" in b.fields:
            f["phasing"] = self._phasing(values, raw, problem, counted)
        if "demolitions" in b.fields:
            f["demolitions"] = counted(b.column_of("demolitions"), raw("demolitions"), 0)
        if "bottlenecks" in b.fields:
            f["bottlenecks"], warnings = self.once(normalise.bottlenecks, raw("bottlenecks"))
            for warning in warnings:
                problem(b.column_of("bottlenecks"), raw("bottlenecks"), warning, "waarschuwing")
        if "parallel_plannen" in b.fields:
            value, error = self.once(normalise.yes_no, raw("parallel_plannen"))
            if error:
                problem(b.column_of("parallel_plannen"), raw("parallel_plannen"), error)
            f["parallel_plannen"] = bool(value)
        if b.groups:
            f["target_groups"] = {g: counted(b.columns[i], values[i], 0) for g, i in b.groups.items()}
        if "milestones" in self.provided():
            f["milestones"] = self._milestones(values, raw, problem, counted)
        if "source_info" in self.provided():
            reference, error = self.once(normalise.day, raw("reference_date"))
            if error:
                problem(b.column_of("reference_date"), raw("reference_date"), error, "waarschuwing")
            f["source_info"] = {
                "opmerking": _text(raw("remark")) or "",
                "peildatum": reference.isoformat() if reference else "",
            }
        if "geometry" in self.provided():
            f["geometry"], f["source_crs"] = self._geometry(position, raw, problem)
        if _text(raw("source_crs")):  # the CRS of the original delivery, kept through exports
            f["source_crs"] = _text(raw("source_crs"))
        return result

    def _homes(self, values, raw, f, problem, counted):
        b = self.b
        if b.matrix:
            homes: dict = {}
            for (segment, housing), i in b.matrix.items():
                n = counted(b.columns[i], values[i], 0)
                if n:
                    homes.setdefault(segment, {})[housing] = n
            f["homes"] = homes
            return
        total = counted(b.column_of("homes_total"), raw("homes_total"))
        if total is not None and total < 0:
            problem(b.column_of("homes_total"), total, _("Aantal woningen mag niet negatief zijn (%d).") % total)
            f["homes"] = {}
            return
        types = {k: counted(b.columns[i], values[i], 0) for k, i in b.housing_types.items()}
        typed = sum(types.values())
        if total is None:
            if not b.housing_types:
                problem(b.column_of("homes_total"), None, _("Aantal woningen ontbreekt."))
            total = typed
        if typed > total:
            problem(
                b.column_of("homes_total"),
                total,
                _("Woningtypes (%(typed)d) zijn meer dan het totaal (%(total)d).") % {"typed": typed, "total": total},
            )
        elif total > typed:
            types["onbekend"] = types.get("onbekend", 0) + total - typed
        f["homes"] = {"onbekend": {k: v for k, v in types.items() if v}}

    def _phasing(self, values, raw, problem, counted) -> dict:
        b = self.b
        phasing: dict[str, int] = {}
        for period, i in b.periods:
            n = counted(b.columns[i], values[i], 0)
            if n and period.first is not None:
                for year, homes in self.once(_spread, (n, period.first, period.last)).items():
                    phasing[year] = phasing.get(year, 0) + homes
        text = _text(raw("phasing"))
        if text:
            for part in text.split(";"):
                match = re.fullmatch(r"\s*(\d{4})\s*:\s*(\d+)\s*", part)
                if not match:
                    problem(b.column_of("phasing"), text, _("Fasering '%s' verwacht als 'jaar:aantal;…'.") % part)
                    continue
                phasing[match.group(1)] = phasing.get(match.group(1), 0) + int(match.group(2))
        return dict(sorted(phasing.items()))

    def _milestones(self, values, raw, problem, counted) -> tuple:
        b = self.b
        result = []
        for kind in MILESTONE_CODES:
            dates = {}
            for key in ("planned", "actual"):
                i = b.milestones.get((kind, key))
                if i is not None:
                    dates[key], error = self.once(normalise.day, values[i])
                    if error:
                        problem(b.columns[i], values[i], error)
            homes = counted(b.column_of("oplevering_homes"), raw("oplevering_homes")) if kind == "oplevering" else None
            if dates.get("planned") or dates.get("actual") or homes:
                result.append(MilestoneData(kind, dates.get("planned"), dates.get("actual"), homes))
        for part in (_text(raw("deelopleveringen")) or "").split(";"):
            if not part.strip():
                continue
            pieces = [p.strip() for p in part.split("|")]
            if len(pieces) != 4 or not pieces[0].isdigit():
                problem(
                    b.column_of("deelopleveringen"),
                    part,
                    _("Deeloplevering '%s' verwacht als 'volgnr|gepland|werkelijk|woningen'.") % part,
                )
                continue
            planned, e1 = self.once(normalise.day, pieces[1])
            actual, e2 = self.once(normalise.day, pieces[2])
            homes = counted(b.column_of("deelopleveringen"), pieces[3])
            for error in (e1, e2):
                if error:
                    problem(b.column_of("deelopleveringen"), part, error)
            result.append(MilestoneData("oplevering", planned, actual, homes, int(pieces[0])))
        return tuple(result)

    def _geometry(self, position, raw, problem):
        geometry = None
        if self._geojson is not None:
            return self._geojson[position], (self.source_crs if self._geojson[position] else "")
        if "geometry_wkt" in self.b.fields and not normalise.is_blank(raw("geometry_wkt")):
            crs = self.b.profile.wkt_crs
            try:
                geometry = shapely.from_wkt(str(raw("geometry_wkt")))
            except shapely.errors.GEOSException:
                problem(self.b.column_of("geometry_wkt"), raw("geometry_wkt"), _("Geen geldige WKT-geometrie."))
                return None, ""
            if self._wkt is not None:
                geometry = shapely.transform(geometry, lambda xy: _apply(self._wkt, xy))
        elif {"x", "y"} <= set(self.b.fields):
            x, ex = _coordinate(raw("x"))
            y, ey = _coordinate(raw("y"))
            crs = self.b.profile.coordinates_crs
            if ex or ey:
                problem(self.b.column_of("x"), f"{raw('x')}, {raw('y')}", ex or ey)
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
