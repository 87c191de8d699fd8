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
    xs, ys = zip(*((p[0], p[1]) for p in _coordinates(geometry["coordinates"])), strict=True)
    return [min(xs), min(ys), max(xs), max(ys)]
