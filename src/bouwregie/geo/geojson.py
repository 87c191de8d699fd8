"""Small GeoJSON helpers that need no geometry library (hot paths: one call per project version)."""


def _coordinates(value):
    if value and isinstance(value[0], int | float):
        yield value
    else:
        for part in value:
            yield from _coordinates(part)


def geojson_bbox(geometry: dict | None) -> list[float] | None:
    """[minx, miny, maxx, maxy] of a GeoJSON geometry, or None for no/empty geometry."""
    if geometry and geometry.get("type") == "GeometryCollection":
        boxes = [box for part in geometry.get("geometries") or () if (box := geojson_bbox(part))]
        if not boxes:
            return None
        return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
    if not geometry or not geometry.get("coordinates"):
        return None
    if geometry["type"] == "Point":
        x, y = geometry["coordinates"][:2]
        return [x, y, x, y]
    points = _POINTS.get(geometry["type"])
    coordinates = geometry["coordinates"]
    if points is not None:  # the common shapes, flattened without recursion
        points = points(coordinates)
    else:
        points = list(_coordinates(coordinates))
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


_POINTS = {
    "LineString": lambda c: c,
    "MultiPoint": lambda c: c,
    "Polygon": lambda c: [p for ring in c for p in ring],
    "MultiLineString": lambda c: [p for line in c for p in line],
    "MultiPolygon": lambda c: [p for polygon in c for ring in polygon for p in ring],
}


DECIMALS = 6  # ~0.1 m in the Netherlands (docs/import.md: "opgeslagen op 6 decimalen")
GRID = 10.0**-DECIMALS
AREAS = frozenset({"Polygon", "MultiPolygon", "GeometryCollection"})


def _walk(value):
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], int | float):
            return [round(float(v), DECIMALS) for v in value]
        return [_walk(v) for v in value]
    return value


def _rounded_plain(geometry: dict) -> dict:
    if geometry["type"] == "GeometryCollection":
        return {"type": "GeometryCollection", "geometries": [_rounded_plain(g) for g in geometry["geometries"]]}
    return {"type": geometry["type"], "coordinates": _walk(geometry["coordinates"])}


def rounded(geometry: dict | None) -> dict | None:
    """Coordinates at 6 decimals (~0.1 m): what we store, so exports re-import identically.

    Rounding moves every vertex up to 0.05 m, which can make a valid area self-intersect (two edges a few
    centimetres apart, as in a repaired plan outline: ingest case 05). An area that rounding breaks is snapped to
    the same grid by GEOS' precision reducer instead, which keeps it valid; so what is stored is always valid and
    on the grid, and rounding it again changes nothing. Points and lines need no check (only areas can
    self-intersect in a way that matters here), which keeps the common case free of a geometry library."""
    if not geometry:
        return None
    plain = _rounded_plain(geometry)
    if geometry["type"] not in AREAS:
        return plain
    return _valid_on_grid(geometry, plain)


def _valid_on_grid(original: dict, plain: dict) -> dict | None:
    """`plain` (the rounded `original`) if it is a valid area, else the original snapped validly to the grid;
    None when nothing of it is left at that precision (an area narrower than ~0.1 m)."""
    import shapely
    from shapely.geometry import mapping, shape

    candidate = shape(plain)
    source = shape(original)
    for _attempt in range(3):
        if candidate.is_valid:
            return plain
        source = repaired(source) if not source.is_valid else source
        snapped = shapely.set_precision(source, GRID)  # mode valid_output: a valid input stays valid
        if snapped.is_empty:
            return None
        plain = _rounded_plain(mapping(snapped))  # the same doubles: k / 10**6 both ways
        candidate, source = shape(plain), snapped
    return plain  # not reached in practice; never loop forever


def repaired(geometry):
    """make_valid, keeping the geometry's own dimension: a polygon with a spike stays a polygon instead of a
    collection with a stray line (which bounding boxes and exports to GIS layers do not expect)."""
    import shapely

    valid = shapely.make_valid(geometry)
    if valid.geom_type != "GeometryCollection":
        return valid
    dimension = shapely.get_dimensions(geometry)
    parts = [p for p in shapely.get_parts(valid) if shapely.get_dimensions(p) == dimension]
    return shapely.union_all(parts) if parts else valid


def rounded_geojson(geometries) -> list[dict | None]:
    """Rounded GeoJSON for an array of shapely geometries (None stays None); points vectorised."""
    import json

    import numpy as np
    import shapely
    from shapely.geometry import mapping

    array = np.asarray(geometries, dtype=object)
    result: list[dict | None] = [None] * len(array)
    kinds = shapely.get_type_id(array)
    points = np.flatnonzero(kinds == 0)
    if len(points):
        for i, (x, y) in zip(
            points.tolist(), np.round(shapely.get_coordinates(array[points]), 6).tolist(), strict=True
        ):
            result[i] = {"type": "Point", "coordinates": [x, y]}
    others = np.flatnonzero(kinds > 0)
    if len(others):
        # Which areas stay valid once rounded, checked for all at once (GEOS, vectorised): those need no
        # per-geometry check in `rounded`, only the plain rounding; the rest take its careful path.
        on_grid = shapely.transform(array[others], lambda xy: np.round(xy, DECIMALS))
        areas = np.isin(kinds[others], (3, 6, 7))  # Polygon, MultiPolygon, GeometryCollection
        plain_ok = ~areas | shapely.is_valid(on_grid)
        texts = shapely.to_geojson(on_grid).tolist()  # GEOS writes them; json.loads is C: no per-vertex Python
        for i, text, ok in zip(others.tolist(), texts, plain_ok.tolist(), strict=True):
            result[i] = json.loads(text) if ok else rounded(mapping(array[i]))
    return result


# --- one check for every geometry that is written (issue #16) --------------------------------------------------
# The import, the REST API and any other writer call these, so a project's geometry is always readable by the
# exports, the map and the monitor: a known type, finite coordinates, within the Netherlands, valid (repaired
# with a warning, as the import always did) and of a size a project outline has.
ALLOWED_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                 "GeometryCollection")  # fmt: skip
_ALLOWED_IDS = frozenset({0, 1, 3, 4, 5, 6, 7})  # shapely type ids of the above (2 is a bare LinearRing)
# Plausible extent of the Netherlands incl. territorial waters, WGS84 (lon, lat): what the import always used.
NL_WGS84 = (3.0, 50.6, 7.4, 53.8)
# A project outline has tens to a few thousand vertices; a municipality's generalised boundary ~2,000.
MAX_VERTICES = 50_000


class GeometryRefused(ValueError):
    """A geometry that cannot be stored: `value` shows what was wrong, `reason` says why (Dutch)."""

    def __init__(self, value: str, reason: str):
        self.value, self.reason = value, reason
        super().__init__(f"{reason} ({value})" if value else reason)


def check_geometries(geometries) -> list[tuple[object, str | None, GeometryRefused | None]]:
    """For each shapely geometry in WGS84 (or None): (geometry to store or None, repair warning or None, refusal
    or None). Vectorised with GEOS for the import's tens of thousands of rows; empty geometries become None."""
    import numpy as np
    import shapely
    from django.utils.translation import gettext as _

    array = np.asarray(list(geometries), dtype=object)
    result: list = [(None, None, None)] * len(array)
    if not len(array):
        return result
    present = ~shapely.is_missing(array)
    present[present] = ~shapely.is_empty(array[present])
    index = np.flatnonzero(present)
    if not len(index):
        return result
    shapes = array[index]
    kinds = shapely.get_type_id(shapes)
    coordinates, owner = shapely.get_coordinates(shapes, return_index=True)  # x, y (a 2D geometry's z is NaN)
    finite = np.ones(len(shapes), dtype=bool)
    finite[np.unique(owner[~np.isfinite(coordinates).all(axis=1)])] = False
    for k in np.flatnonzero(shapely.has_z(shapes)).tolist():
        finite[k] &= bool(np.isfinite(shapely.get_coordinates(shapes[k], include_z=True)).all())
    counts = shapely.get_num_coordinates(shapes)
    bounds = shapely.bounds(shapes)
    valid = shapely.is_valid(shapes)
    minx, miny, maxx, maxy = NL_WGS84
    for k, i in enumerate(index.tolist()):
        shape_, refused = shapes[k], None
        if int(kinds[k]) not in _ALLOWED_IDS or _nested_collection(shape_):
            refused = GeometryRefused(shape_.geom_type, _("Geometrietype %(type)s wordt niet ondersteund; "
                                                          "toegestaan: %(allowed)s.")
                                      % {"type": shape_.geom_type, "allowed": ", ".join(ALLOWED_TYPES)})  # fmt: skip
        elif not finite[k]:
            refused = GeometryRefused("", _("De coördinaten moeten eindige getallen zijn (geen NaN of oneindig)."))
        elif counts[k] > MAX_VERTICES:
            refused = GeometryRefused(str(int(counts[k])), _("De geometrie heeft %(n)d punten; hooguit %(max)d.")
                                      % {"n": int(counts[k]), "max": MAX_VERTICES})  # fmt: skip
        else:
            x0, y0, x1, y1 = bounds[k].tolist()
            if not (minx <= x0 and x1 <= maxx and miny <= y0 and y1 <= maxy):
                refused = GeometryRefused(
                    f"{x0:.4f}, {y0:.4f}",
                    _("Ligging buiten Nederland; geometrie niet opgeslagen. Geef WGS84-coördinaten als "
                      "[lengtegraad, breedtegraad], binnen %(box)s.") % {"box": ", ".join(map(str, NL_WGS84))},
                )  # fmt: skip
        if refused is not None:
            result[i] = (None, None, refused)
        elif not valid[k]:
            result[i] = (repaired(shape_), shapely.is_valid_reason(shape_), None)
        else:
            result[i] = (shape_, None, None)
    return result


def _nested_collection(geometry) -> bool:
    """A collection inside a collection (or an empty part): GIS layers and the map do not take them."""
    import shapely

    if geometry.geom_type != "GeometryCollection":
        return False
    parts = shapely.get_parts(geometry)
    return any(p.geom_type == "GeometryCollection" or p.is_empty for p in parts)


def checked_geojson(value) -> tuple[dict | None, str | None]:
    """A GeoJSON geometry object (WGS84, as the REST API takes it) as it is stored: (rounded GeoJSON or None for
    an empty one, the repair warning or None). GeometryRefused for anything else, naming what is wrong."""
    from django.utils.translation import gettext as _
    from shapely.errors import GEOSException
    from shapely.geometry import mapping, shape

    if value is None:
        return None, None
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(kind, str) or kind not in ALLOWED_TYPES:
        shown = kind if isinstance(kind, str) else type(value).__name__
        raise GeometryRefused(shown[:40], _("Geen GeoJSON-geometrie van een ondersteund type; toegestaan: %s.")
                              % ", ".join(ALLOWED_TYPES))  # fmt: skip
    try:
        parsed = shape(value)
    except (GEOSException, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as error:
        raise GeometryRefused(kind, _("De geometrie is geen geldige GeoJSON: %s.") % str(error).strip()[:200]) from None
    ((stored, warning, refused),) = check_geometries([parsed])
    if refused is not None:
        raise refused
    return (rounded(mapping(stored)) if stored is not None else None), warning


def readable(geometry: dict | None) -> dict | None:
    """A stored geometry as writers (exports, maps) can use it, or None when it is not one: versions written
    before every writer checked (issue #16: a closed peiling keeps them forever) must not break an export."""
    from shapely.errors import GEOSException
    from shapely.geometry import shape

    if not geometry or not isinstance(geometry, dict) or geometry.get("type") not in ALLOWED_TYPES:
        return None
    try:
        ((_stored, _repair, refused),) = check_geometries([shape(geometry)])
    except (GEOSException, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError):
        return None
    return None if refused is not None else geometry
