"""Small GeoJSON helpers that need no geometry library (hot paths: one call per project version)."""


def _coordinates(value):
    if value and isinstance(value[0], int | float):
        yield value
    else:
        for part in value:
            yield from _coordinates(part)


def geojson_bbox(geometry: dict | None) -> list[float] | None:
    """[minx, miny, maxx, maxy] of a GeoJSON geometry, or None for no/empty geometry."""
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
