"""Stored links of BAG woningen to projects (issue #18; registraties.store, docs/registraties-koppeling.md
"Koppelingen bewaren"): the real Doesburg sample (shared/data/bag: the panden and verblijfsobject
0221010000330226) plus hand-made verblijfsobjecten in real Doesburg panden, linked after every load and on
`registraties link`, one append-only set per extract."""

import dataclasses
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction

from bouwregie.bag import importer, lvbag
from bouwregie.registraties import store
from bouwregie.registraties.models import LinkSet, RegistrationLink
from tests import builders
from tests.roles import build_world
from tests.test_api import get, send
from tests.test_bag import HAND_MADE, PND_ZIP, VBO_XML, write_vbo_part

pytestmark = pytest.mark.django_db

# RD → WGS84 (pyproj, EPSG:28992 → 4326): (206301, 447500) is (6.13448, 52.01348); the real 330226 at
# (206335.699, 447529.842) is (6.13499, 52.01375).
WEST = (206301.0, 447500.0)
SMALL = {"type": "Polygon", "coordinates": [[[6.1340, 52.0132], [6.1347, 52.0132], [6.1347, 52.0137],
                                             [6.1340, 52.0137], [6.1340, 52.0132]]]}  # fmt: skip
LARGE = {"type": "Polygon", "coordinates": [[[6.1300, 52.0100], [6.1400, 52.0100], [6.1400, 52.0200],
                                             [6.1300, 52.0200], [6.1300, 52.0100]]]}  # fmt: skip
HOMES = {"sociale_huur": {"gestapeld": 4}}
A, B, C, D, E = (f"022101000090000{i}" for i in range(1, 6))
REAL = "0221010000330226"  # in pand 0221100000312938, like E


def extract_voorkomens():
    """The real sample's verblijfsobjecten and the hand-made ones; A-D placed at WEST (E stays in its pand)."""
    real = [v for _part, _header, v in lvbag.read(VBO_XML)]
    placed = [dataclasses.replace(v, x=WEST[0], y=WEST[1]) if v.identificatie != E else
              dataclasses.replace(v, x=206335.699, y=447529.842) for v in HAND_MADE]  # fmt: skip
    return sorted(real + placed, key=lambda v: (v.identificatie, v.voorkomen))


def projects():
    when = datetime(2025, 6, 1, tzinfo=UTC)
    small = builders.create("Kloosterhof", "GM0221", when, homes=HOMES, geometry=SMALL)
    by_id = builders.create("Pand 312938", "GM0221", when, homes=HOMES, bag_ids=("0221100000312938",))
    large = builders.create("Doesburg-oost", "GM0221", when, homes=HOMES, geometry=LARGE)
    builders.create("Zonder geometrie", "GM0221", when, homes=HOMES)
    # A point links nothing (linking rule 4): not counted among the projects linked against (issue #18, point 5).
    builders.create(
        "Alleen een punt", "GM0221", when, homes=HOMES, geometry={"type": "Point", "coordinates": [6.14, 52.0]}
    )
    return small, by_id, large


def links(project):
    return [(x.identificatie, x.basis, x.ambiguous, x.candidates) for x in store.links_of(project.id)]


def test_doesburg_linked_by_geometry_and_by_id_after_the_load(tmp_path):
    small, by_id, large = projects()
    importer.import_file(PND_ZIP)
    report = importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", extract_voorkomens()))
    # 6 woningen (the real one, A-E); A-D lie in both polygons: the smaller wins, ambiguous; the real one and E
    # lie in pand 312938, named by project 2: by id, which beats the large polygon they also lie in.
    assert links(small) == [(x, "geometrie, meerdere projecten", True, [small.id, large.id]) for x in (A, B, C, D)]
    assert links(by_id) == [(REAL, "id", False, [by_id.id]), (E, "id", False, [by_id.id])]
    assert links(large) == []
    link_set = LinkSet.objects.get(extract_id=report.extract_id)
    assert (link_set.municipalities, link_set.woningen, link_set.linked, link_set.ambiguous, link_set.projects) == (
        ["GM0221"],
        6,
        6,
        4,
        3,
    )
    assert (f"Gekoppeld aan projecten (extract {report.extract_id}, GM0221): 6 van 6 woningen, 4 meerduidig, tegen 3 "
            "projecten met een plangebied (polygoon) of BAG-id's.") in report.lines()  # fmt: skip


def test_a_newer_extract_is_a_new_set_and_the_old_one_is_kept(tmp_path, capsys):
    small, by_id, large = projects()
    importer.import_file(PND_ZIP)
    first = importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", extract_voorkomens()))
    newer = importer.import_file(write_vbo_part(tmp_path / "0221VBO01012021-000001.xml", HAND_MADE[:3],
                                                stand="2021-01-01"))  # fmt: skip  # only A, at its own point
    # A's newest point is (206303, 447500) = (6.13451, 52.01348): in both polygons still.
    assert links(small) == [(A, "geometrie, meerdere projecten", True, [small.id, large.id])]
    assert links(by_id) == []
    assert LinkSet.objects.filter(extract_id=first.extract_id).get().linked == 6  # kept
    assert store.current_sets() == [LinkSet.objects.get(extract_id=newer.extract_id).id]
    # The project changed: relinked on save (a new set of the newest extract), and again on the command line.
    builders.services.create_version(small, dataclasses.replace(
        builders.services.current_data([small.id])[small.id][1], geometry=None), builders.VersionMeta(
        author="test", source="edit", reason="geometrie weg"))  # fmt: skip
    assert links(small) == [] and links(large) == [(A, "geometrie", False, [large.id])]
    call_command("registraties", "link", "--gemeente", "GM0221")
    assert "1 van 1 woningen, 0 meerduidig, tegen 2 projecten" in capsys.readouterr().out
    assert links(small) == [] and links(large) == [(A, "geometrie", False, [large.id])]
    assert LinkSet.objects.filter(extract_id=newer.extract_id).count() == 3
    assert RegistrationLink.objects.count() == 6 + 1 + 1 + 1


def test_editing_bag_ids_relinks_on_save_and_keeps_the_history(tmp_path):
    """Reviewer's point 4 of issue #18: new BAG ids took effect only at the next `registraties link`."""
    small, by_id, large = projects()
    importer.import_file(PND_ZIP)
    importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", extract_voorkomens()))
    assert [x[0] for x in links(by_id)] == [REAL, E]
    data = builders.services.current_data([by_id.id])[by_id.id][1]
    meta = builders.VersionMeta(author="test", source="edit", reason="pand-id weg")
    builders.services.create_version(by_id, dataclasses.replace(data, bag_ids=()), meta)
    # Without the id the real one and E lie only in the large polygon: linked there at once.
    assert links(by_id) == [] and links(large) == [(x, "geometrie", False, [large.id]) for x in (REAL, E)]
    assert LinkSet.objects.count() == 2 and RegistrationLink.objects.count() == 6 + 6  # the first set kept
    # A change that does not touch BAG ids or plan area relinks nothing.
    builders.services.create_version(by_id, dataclasses.replace(data, bag_ids=(), name="Ander"), meta)
    assert LinkSet.objects.count() == 2


def test_links_cannot_be_changed_or_deleted(tmp_path):
    projects()
    importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", extract_voorkomens()))
    for change in (lambda: RegistrationLink.objects.update(basis="id"), lambda: RegistrationLink.objects.all().delete(),
                   lambda: LinkSet.objects.update(linked=0)):  # fmt: skip
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert RegistrationLink.objects.count() == 6


def test_nothing_to_link_says_so(capsys):
    call_command("registraties", "link")
    assert "er is niets te koppelen" in capsys.readouterr().out


def test_patching_bag_ids_through_the_api_links_at_once(client, tmp_path):
    """The reviewer's route: PATCH /api/v1/projects/{code} with bag_ids, then the project's registrations."""
    small, by_id, large = projects()
    importer.import_file(PND_ZIP)
    importer.import_file(write_vbo_part(tmp_path / "0221VBO15092020-000002.xml", extract_voorkomens()))
    world = build_world()
    body = {"reason": "Pand-id's van de gemeente", "bag_ids": ["0221100000312938"]}
    assert send(client, world, "beheerder", "patch", f"/api/v1/projects/{large.code}", body).status_code == 200
    # Both projects now name pand 312938: its two woningen are linked by id to both, ambiguous, without a link run.
    found = get(client, world, "beheerder", f"/api/v1/projects/{large.code}/registraties").json()
    assert [(x["identificatie"], x["basis"]) for x in found["links"]] == [
        (REAL, "id, meerdere projecten"), (E, "id, meerdere projecten")]  # fmt: skip
