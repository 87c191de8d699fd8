"""Decode the quantized TopoJSON we ship for municipal boundaries into GeoJSON geometries.

We ship TopoJSON rather than GeoJSON because neighbouring municipalities share their borders: the
file is a quarter of the size and borders cannot drift apart. Decoding is a small, well-specified
transformation (TopoJSON spec 1.0, "transforms" and "arcs"), so it lives here instead of pulling in
a conversion library.
"""

from itertools import accumulate


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        xs = accumulate(point[0] for point in arc)
        ys = accumulate(point[1] for point in arc)
        decoded.append([(round(x * sx + tx, 6), round(y * sy + ty, 6)) for x, y in zip(xs, ys, strict=True)])
    return decoded


def _ring(arc_indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """Join arcs into one closed ring; a negative index ~i means arc i walked backwards."""
    points: list[tuple[float, float]] = []
    for index in arc_indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return [list(p) for p in points]


def features(topology: dict, object_name: str) -> list[dict]:
    """GeoJSON features (WGS84 lon/lat) of one named object of a quantized topology."""
    arcs = _decode_arcs(topology)
    result = []
    for geometry in topology["objects"][object_name]["geometries"]:
        if geometry["type"] == "Polygon":
            coordinates = [_ring(ring, arcs) for ring in geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            coordinates = [[_ring(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
        else:
            raise ValueError(f"Onverwacht geometrietype in TopoJSON: {geometry['type']}")
        result.append(
            {
                "type": "Feature",
                "id": geometry.get("id"),
                "properties": geometry.get("properties", {}),
                "geometry": {"type": geometry["type"], "coordinates": coordinates},
            }
        )
    return result
