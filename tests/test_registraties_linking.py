"""Linking BAG verblijfsobjecten to projects (issue #18; registraties.linking, docs/registraties-koppeling.md):
an explicit id wins (a pand id brings its verblijfsobjecten), else the point within the project polygon (the
edge counts), the smallest polygon when several, flagged ambiguous; a project without a polygon links by id
only. Hand-drawn fixtures; a property: each object links to at most one project, and to one that qualifies."""

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.registraties.linking import Objects, ProjectArea, link


def square(x0, y0, x1, y1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def vbo(n: int) -> str:
    return f"0221010000{n:06d}"


def pand(n: int) -> str:
    return f"0221100000{n:06d}"


# Doesburg-ish: plan A is 0.30° × 0.20°, plan B (0.10° × 0.10°) lies in its north-east, plan C is a point.
A = ProjectArea(10, (), square(6.0, 51.9, 6.3, 52.1))
B = ProjectArea(11, (), square(6.1, 52.0, 6.2, 52.1))


def linked(objects, projects) -> dict[str, tuple]:
    return {lk.identificatie: (lk.project_id, lk.basis, lk.candidates) for lk in link(objects, projects)}


def test_a_point_within_one_polygon_links_by_geometry_and_one_outside_links_nowhere():
    objects = Objects.from_records([(vbo(1), 6.05, 51.95, []), (vbo(2), 5.0, 52.0, [])])
    assert linked(objects, [A, B]) == {vbo(1): (10, "geometrie", (10,))}


def test_a_point_on_the_boundary_counts_as_within():
    objects = Objects.from_records([(vbo(1), 6.0, 52.0, []), (vbo(2), 6.3, 51.9, [])])  # an edge, a corner
    assert linked(objects, [A]) == {vbo(1): (10, "geometrie", (10,)), vbo(2): (10, "geometrie", (10,))}


def test_a_point_in_two_polygons_goes_to_the_smallest_and_is_flagged():
    objects = Objects.from_records([(vbo(1), 6.15, 52.05, [])])
    assert linked(objects, [A, B]) == {vbo(1): (11, "geometrie, meerdere projecten", (11, 10))}
    same_size = ProjectArea(9, (), square(6.1, 52.0, 6.2, 52.1))  # equal area: the lowest project id
    assert linked(objects, [B, same_size])[vbo(1)] == (9, "geometrie, meerdere projecten", (9, 11))


def test_an_explicit_id_overrides_the_geometry():
    objects = Objects.from_records([(vbo(1), 6.15, 52.05, []), (vbo(2), 6.05, 51.95, [])])
    c = ProjectArea(12, (vbo(1),), {"type": "Point", "coordinates": [6.5, 52.5]})
    assert linked(objects, [A, B, c]) == {vbo(1): (12, "id", (12,)), vbo(2): (10, "geometrie", (10,))}


def test_a_pand_id_links_all_its_verblijfsobjecten_and_a_verblijfsobject_id_beats_it():
    objects = Objects.from_records([
        (vbo(1), 7.0, 53.0, [pand(1)]), (vbo(2), 7.0, 53.0, [pand(1)]), (vbo(3), 7.0, 53.0, [pand(1), pand(2)]),
        (vbo(4), 7.0, 53.0, [pand(2)]), (vbo(5), None, None, [pand(1)]),  # no point: the pand still links it
    ])  # fmt: skip
    by_pand = ProjectArea(20, (pand(1),))
    by_vbo = ProjectArea(21, (vbo(2),), None)
    assert linked(objects, [by_pand, by_vbo]) == {
        vbo(1): (20, "id", (20,)), vbo(2): (21, "id", (21,)), vbo(3): (20, "id", (20,)), vbo(5): (20, "id", (20,))
    }  # fmt: skip


def test_an_id_on_two_projects_goes_to_the_smaller_and_is_flagged():
    objects = Objects.from_records([(vbo(1), 7.0, 53.0, [])])
    big, small = ProjectArea(30, (vbo(1),), square(0, 0, 2, 2)), ProjectArea(31, (vbo(1),), square(0, 0, 1, 1))
    assert linked(objects, [big, small]) == {vbo(1): (31, "id, meerdere projecten", (31, 30))}


def test_a_project_without_polygon_links_by_id_only():
    objects = Objects.from_records([(vbo(1), 6.05, 51.95, [])])
    point = ProjectArea(40, (), {"type": "Point", "coordinates": [6.05, 51.95]})
    assert linked(objects, [point, ProjectArea(41, (), None)]) == {}


def test_an_object_in_two_panden_of_one_project_is_not_ambiguous():
    objects = Objects.from_records([(vbo(1), 7.0, 53.0, [pand(1), pand(2)])])
    assert linked(objects, [ProjectArea(50, (pand(1), pand(2)))]) == {vbo(1): (50, "id", (50,))}


def test_multipolygons_shapely_geometries_and_geojson_text_are_read_alike():
    objects = Objects.from_records([(vbo(1), 0.5, 0.5, []), (vbo(2), 5.5, 5.5, []), (vbo(3), 9.5, 9.5, [])])
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(0, 0, 1, 1)["coordinates"], square(5, 5, 6, 6)["coordinates"]],
    }
    text = '{"type": "Polygon", "coordinates": [[[9, 9], [10, 9], [10, 10], [9, 10], [9, 9]]]}'
    projects = [
        ProjectArea(60, (), multi),
        ProjectArea(61, (), shapely.box(-1, -1, -0.5, -0.5)),
        ProjectArea(62, (), text),
    ]
    assert {k: v[0] for k, v in linked(objects, projects).items()} == {vbo(1): 60, vbo(2): 60, vbo(3): 62}


boxes = st.tuples(st.integers(0, 8), st.integers(0, 8), st.integers(1, 4), st.integers(1, 4))


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(st.tuples(st.integers(0, 24), st.integers(0, 24), st.lists(st.integers(1, 4), max_size=2)),
                    min_size=1, max_size=40),
    areas=st.lists(st.tuples(boxes, st.lists(st.integers(0, 45), max_size=3), st.lists(st.integers(1, 4), max_size=1)),
                   min_size=1, max_size=8),
)  # fmt: skip
def test_each_object_links_to_at_most_one_project_that_qualifies(points, areas):
    """Points on a half-unit grid (many on edges and corners), overlapping boxes, explicit ids at random."""
    objects = Objects.from_records(
        [(vbo(i), x / 2, y / 2, [pand(p) for p in panden]) for i, (x, y, panden) in enumerate(points)]
    )
    projects = [
        ProjectArea(100 + j, tuple(vbo(v) for v in vbos) + tuple(pand(p) for p in panden), square(x, y, x + w, y + h))
        for j, ((x, y, w, h), vbos, panden) in enumerate(areas)
    ]
    links = list(link(objects, projects))
    assert len({lk.identificatie for lk in links}) == len(links)  # at most one project per object
    by_id = {p.project_id: p for p in projects}
    for lk in links:
        i = int(lk.identificatie[-6:])
        x, y, panden = points[i][0] / 2, points[i][1] / 2, {pand(p) for p in points[i][2]}
        named = [p.project_id for p in projects if lk.identificatie in p.bag_ids or panden & set(p.bag_ids)]
        if named:  # an explicit id wins over every polygon
            assert lk.basis.startswith("id") and lk.project_id in named
        else:
            inside = [p.project_id for p in projects if shapely.intersects(shapely.geometry.shape(p.geometry),
                                                                           shapely.Point(x, y))]  # fmt: skip
            assert lk.basis.startswith("geometrie") and lk.project_id in inside
            assert set(lk.candidates) == set(inside) and (len(inside) > 1) == lk.ambiguous
            areas_of = {pid: shapely.area(shapely.geometry.shape(by_id[pid].geometry)) for pid in inside}
            assert areas_of[lk.project_id] == min(areas_of.values())
    unlinked = set(range(len(points))) - {int(lk.identificatie[-6:]) for lk in links}
    for i in unlinked:  # nothing that qualifies is left out
        x, y, panden = points[i][0] / 2, points[i][1] / 2, {pand(p) for p in points[i][2]}
        assert not any(vbo(i) in p.bag_ids or panden & set(p.bag_ids) for p in projects)
        assert not any(shapely.intersects(shapely.geometry.shape(p.geometry), shapely.Point(x, y)) for p in projects)


def test_the_links_are_columns_ready_for_a_bulk_write():
    objects = Objects.from_records([(vbo(1), 6.05, 51.95, []), (vbo(2), 6.15, 52.05, []), (vbo(3), 0.0, 0.0, [])])
    links = link(objects, [A, B])
    assert list(links.object_index) == [0, 1] and list(links.project_ids()) == [10, 11]
    assert list(links.basis_code) == [2, 3] and len(links[0:2]) == 2
    assert np.all(np.diff(links.object_index) > 0)
