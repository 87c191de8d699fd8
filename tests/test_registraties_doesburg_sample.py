"""The real Doesburg sample (shared/data/bag, SOURCE.md) through the real entry points on a fresh database
(issue #18; h18's fresh-eyes check): `bouwregie bag import` of every pand, `bouwregie registraties import` of the
verblijfsobjecten, and the links by geometry and by id shown on the project page and on /registraties.

The sample's one woning: verblijfsobject 0221010000330226 in pand 0221100000312938 (in use since 1995-01-18),
RD (206335.699, 447529.842), in use since 2011-09-06 (the BAG's initial fill: 'bestaand', no delivery), under
'Verbouwing verblijfsobject' since 2019-11-19. The other object (0221010000330999) has no woonfunctie."""

import io
import re
from collections import Counter
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.utils import translation
from pyproj import Transformer

from bouwregie.bag.models import BagVoorkomen, BagWoning
from bouwregie.projects.rules import MilestoneData as M
from tests import builders
from tests.roles import build_world
from tests.test_bag import DATA, DOESBURG_PAND_STATUSES

POINT = (206335.699, 447529.842)


def square_around(x, y, half=20.0) -> dict:
    """A GeoJSON polygon (WGS84) of 40 × 40 m in RD around (x, y)."""
    to_wgs = Transformer.from_crs(28992, 4326, always_xy=True)
    corners = [to_wgs.transform(x + dx, y + dy) for dx, dy in ((-half, -half), (half, -half), (half, half),
                                                                (-half, half), (-half, -half))]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[[round(lon, 7), round(lat, 7)] for lon, lat in corners]]}


def cli(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_doesburg_sample_through_the_commands_links_by_geometry_and_by_id(client):
    when = datetime(2025, 6, 1, tzinfo=UTC)
    by_geometry = builders.create("Plein by geometry", "GM0221", when, homes={"sociale_huur": {"gestapeld": 1}},
                                  geometry=square_around(*POINT),
                                  milestones=(M("oplevering", actual=date(2011, 9, 6)),))  # fmt: skip
    out = cli("bag", "import", str(DATA / "0221PND15092020.zip"))
    for status, n in DOESBURG_PAND_STATUSES.items():
        assert f"  {status}: {n:,}".replace(",", ".") in out
    assert Counter(BagVoorkomen.objects.filter(object_type="PND").values_list("status", flat=True)) == Counter(
        DOESBURG_PAND_STATUSES
    )
    out = cli("registraties", "import", str(DATA / "0221VBO15092020-000001.xml"))
    assert "Woningen (verblijfsobjecten met woonfunctie): 1; nieuwbouw 0, toevoeging 0, bestaand bij registratie 1." \
        in out  # fmt: skip
    assert "1 van 1 woningen" in out
    woning = BagWoning.objects.get()
    assert (woning.identificatie, woning.municipality, woning.origin, woning.status_now) == (
        "0221010000330226", "GM0221", "bestaand", "Verbouwing verblijfsobject")  # fmt: skip
    world = build_world()
    client.force_login(world["users"]["rijk"])

    def text(url):
        with translation.override("nl"):
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).content.decode()))

    page = text(f"/projecten/{by_geometry.code}")
    assert "1 BAG-woning gekoppeld (0221VBO15092020-000001.xml, stand 15 september 2020)" in page
    assert "ligt binnen de projectgeometrie: 1" in page
    # The monitor delivered 1 in 2011; the BAG registered the home at its first fill (2011-09-06: 'bestaand'),
    # no new build. The area's BAG column counts new build only (0), and the project is named behind that
    # difference (it was not: it counted the existing home as a BAG delivery, 1 = 1, and the difference had none).
    overview = text("/registraties?gebied=GM0221")
    assert "BAG: 0221VBO15092020-000001.xml (stand 15 september 2020)." in overview
    assert "2011 1 – 0 – 1" in overview
    assert f"{by_geometry.code} Plein by geometry — 2011: monitor 1, BAG 0" in overview
    # By id: a project naming the verblijfsobject takes it over from the geometry (`registraties link`).
    by_id = builders.create("Pand by id", "GM0221", when, homes={"sociale_huur": {"gestapeld": 1}},
                            bag_ids=("0221010000330226",))  # fmt: skip
    assert "1 van 1 woningen" in cli("registraties", "link", "--gemeente", "GM0221")
    assert "BAG-id op het project: 1" in text(f"/projecten/{by_id.code}")
    assert "1 BAG-woning gekoppeld" not in text(f"/projecten/{by_geometry.code}")
