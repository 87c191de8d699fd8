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
    xs, ys = zip(*((p[0], p[1]) for p in _coordinates(geometry["coordinates"])), strict=True)
    return [min(xs), min(ys), max(xs), max(ys)]


def rounded(geometry: dict | None) -> dict | None:
    """Coordinates at 6 decimals (~0.1 m): what we store, so exports re-import identically."""
    if not geometry:
        return None

    def walk(value):
        if isinstance(value, list | tuple):
            if value and isinstance(value[0], int | float):
                return [round(float(v), 6) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def rounded_geojson(geometries) -> list[dict | None]:
    """Rounded GeoJSON for an array of shapely geometries (None stays None); points vectorised."""
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
    for i in np.flatnonzero(kinds > 0).tolist():
        result[i] = rounded(mapping(array[i]))
    return result
