"""Realisatiestimulans "op registratie" (issue #18; instruments/op_registratie.py): the homes counted from the
BAG (new build that came into use, per municipality and year), the affordable split from the monitor — a
linked project's own segment mix, an unlinked registration the municipality's monitor mix of that year (else
of all years, else 'onbekend' with a warning). Hand-computed; regulation realisatiestimulans 2025-01: € 7.000
per affordable home (all three segments), paid in Q4 of the next year."""

import io
import json
from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.core.management import call_command

from bouwregie.bag import importer, writer
from bouwregie.instruments import api, op_registratie
from bouwregie.instruments import realisatiestimulans as rs
from bouwregie.monitor.snapshot import SEGMENTS
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from tests import builders
from tests.test_bag import pnd, vbo


def mix(**shares):
    return np.array([shares.get(s, 0.0) for s in SEGMENTS])


def test_rows_by_hand():
    delivered = [
        op_registratie.Delivered("GM0221", 2025, 7, 3),  # linked: project 7, 2/3 sociale huur, 1/3 dure koop
        op_registratie.Delivered("GM0221", 2025, None, 4),  # unlinked: GM0221's 2025 mix 1/4 midden, 3/4 vrije
        op_registratie.Delivered("GM0221", 2026, None, 2),  # no 2026 mix: GM0221 over all years, 1/2 betaalbare koop
        op_registratie.Delivered("GM0363", 2025, None, 5),  # no mix at all: onbekend, named
        op_registratie.Delivered("GM0221", 2025, 99, 1),  # a project not in the peiling: as unlinked
    ]
    rows, without = op_registratie.rows(
        delivered, SEGMENTS, {7: mix(sociale_huur=2 / 3, dure_koop=1 / 3)},
        {("GM0221", 2025): mix(middenhuur=0.25, vrije_sector_huur=0.75),
         "GM0221": mix(betaalbare_koop=0.5, onbekend=0.5)},
        subsidies={7: 500_000}, elderly_share={7: {"zorggeschikt": 1 / 3}},
    )  # fmt: skip
    assert without == ["GM0363"]
    assert [(r.project, r.municipality, r.year, r.homes, r.elderly, r.earlier_subsidies_cents) for r in rows] == [
        ("7", "GM0221", 2025, {"sociale_huur": 2, "middenhuur": 0, "betaalbare_koop": 0}, {"zorggeschikt": 1,
         "geclusterd": 0}, 500_000),
        ("BAG-GM0221", "GM0221", 2025, {"sociale_huur": 0, "middenhuur": 1, "betaalbare_koop": 0}, {"zorggeschikt": 0,
         "geclusterd": 0}, 0),
        ("BAG-GM0221", "GM0221", 2026, {"sociale_huur": 0, "middenhuur": 0, "betaalbare_koop": 1}, {"zorggeschikt": 0,
         "geclusterd": 0}, 0),
        ("BAG-GM0363", "GM0363", 2025, {"sociale_huur": 0, "middenhuur": 0, "betaalbare_koop": 0}, {"zorggeschikt": 0,
         "geclusterd": 0}, 0),
        ("BAG-GM0221", "GM0221", 2025, {"sociale_huur": 0, "middenhuur": 0, "betaalbare_koop": 0}, {"zorggeschikt": 0,
         "geclusterd": 0}, 0),  # 1 home × (1/4 midden, 3/4 vrije): the largest remainder goes to vrije sector
    ]  # fmt: skip
    result = rs.compute(rows, {"GM0221": "Doesburg", "GM0363": "Amsterdam"}, "registratie")
    doesburg = result["municipalities"][0]
    # 2025: 2 × € 7.000 − € 5.000 set off + 1 × € 7.000 = € 16.000; 2026: 1 × € 7.000.
    assert (doesburg["years"][2025]["claim_cents"], doesburg["years"][2025]["set_off_cents"]) == (1_600_000, 500_000)
    assert doesburg["years"][2026]["paid_cents"] == 700_000 and doesburg["years"][2025]["payment"] == "2026-Q4"
    assert [m["code"] for m in result["municipalities"]] == ["GM0221"]  # Amsterdam's homes earn nothing


def test_municipality_mixes_weigh_each_project_by_what_it_delivers():
    delivered = np.array([[3, 0], [4, 0], [0, 0]])  # projects × years 2025, 2026
    mixes = np.vstack([mix(sociale_huur=2 / 3, dure_koop=1 / 3), mix(middenhuur=0.25, vrije_sector_huur=0.75),
                       mix(sociale_huur=1.0)])  # fmt: skip
    found = op_registratie.municipality_mixes(delivered, mixes, np.array(["GM0221", "GM0221", "GM0363"]),
                                              [2025, 2026], SEGMENTS)  # fmt: skip
    assert np.allclose(found[("GM0221", 2025)] * 7, [2, 1, 0, 3, 1, 0]) and np.allclose(
        found["GM0221"] * 7, [2, 1, 0, 3, 1, 0]
    )
    assert ("GM0221", 2026) not in found and "GM0363" not in found


def _doesburg_loaded(tmp_path):
    """Doesburg, peiling 2025-Q2. Project 1 (2 sociale huur, 1 dure koop; delivered 1-3-2025) is linked by its
    pand to the 3 objects in use there on 1-3-2025; project 2 (1 middenhuur, 3 vrije sector huur; planned
    1-10-2025) has no geometry. 7 more objects came into use on 1-3-2025 in another pand, unlinked: GM0221's
    2025 mix in the monitor is (3 × project 1 + 4 × project 2) / 7 = 2 sociale, 1 midden, 3 vrije, 1 dure per 7,
    so 7 unlinked homes = 2 sociale + 1 middenhuur affordable. Op registratie: (2 + 3) × € 7.000 = € 35.000;
    op realisatie (the monitor): project 1's 2 sociale huur = € 14.000."""
    when = datetime(2025, 6, 1, tzinfo=UTC)
    linked_pand, other_pand = "0221100000950001", "0221100000950002"
    first = {"sociale_huur": {"gestapeld": 2}, "dure_koop": {"grondgebonden": 1}}
    second = {"middenhuur": {"gestapeld": 1}, "vrije_sector_huur": {"gestapeld": 3}}
    builders.create("Kloosterhof", "GM0221", when, homes=first, bag_ids=(linked_pand,),
                    milestones=(M("oplevering", actual=date(2025, 3, 1)),))  # fmt: skip
    builders.create("Zonder plangebied", "GM0221", when, homes=second,
                    milestones=(M("oplevering", planned=date(2025, 10, 1)),))  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    panden = [step for p in (linked_pand, other_pand) for step in (
        pnd(p, 1, "Bouwvergunning verleend", "2023-05-01", "2024-01-01"),
        pnd(p, 2, "Bouw gestart", "2024-01-01"))]  # fmt: skip
    objects = [step for i in range(10) for step in (
        vbo(f"022101000095{i:04d}", 1, "Verblijfsobject gevormd", "2023-05-01", "2025-03-01",
            pand=linked_pand if i < 3 else other_pand),
        vbo(f"022101000095{i:04d}", 2, "Verblijfsobject in gebruik", "2025-03-01",
            pand=linked_pand if i < 3 else other_pand))]  # fmt: skip
    for kind, voorkomens in (("PND", panden), ("VBO", objects)):
        path = tmp_path / f"0221{kind}01072025-000001.xml"
        path.write_text(writer.part(kind, voorkomens, "2025-07-01", ("0221",), "GEMEENTE"), encoding="utf-8")
        importer.import_file(path)


@pytest.mark.django_db
def test_end_to_end_from_a_loaded_extract_beside_the_other_variants(tmp_path):
    """See _doesburg_loaded."""
    _doesburg_loaded(tmp_path)
    result = api.realisatiestimulans(variant="alle", gemeente="GM0221")
    on_registration = result["variants"]["registratie"]["municipalities"][0]["years"][2025]
    assert on_registration["homes"] == {"sociale_huur": 4, "middenhuur": 1, "betaalbare_koop": 0}
    assert on_registration["claim_cents"] == 3_500_000 and on_registration["payment"] == "2026-Q4"
    assert result["variants"]["realisatie"]["municipalities"][0]["years"][2025]["claim_cents"] == 1_400_000
    assert [e["file_name"] for e in result["registration"]["bag_extracts"]] == ["0221VBO01072025-000001.xml"]
    assert set(api.realisatiestimulans(variant="beide")["variants"]) == {"realisatie", "startbouw"}
    out = io.StringIO()
    call_command("instruments", "realisatiestimulans", "--variant", "registratie", "--gemeente", "GM0221", stdout=out)
    text = out.getvalue()
    assert "Variant op registratie (BAG in gebruik, nieuwbouw)" in text and "0221VBO01072025-000001.xml" in text
    out = io.StringIO()
    call_command("instruments", "realisatiestimulans", "--variant", "registratie", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["variants"]["registratie"]["paid_cents"] == 3_500_000


@pytest.mark.django_db
def test_the_web_page_offers_the_variant_op_registratie_with_the_figures_of_the_api(client, tmp_path):
    """/instrumenten/realisatiestimulans?variant=registratie shows what the API and CLI compute for the same
    world (_doesburg_loaded): Doesburg 2025 op registratie 5 affordable homes → € 35.000, counted from the
    extract named; 'alle' shows op realisatie (2 → € 14.000) beside it; the default stays the monitor's two."""
    _doesburg_loaded(tmp_path)
    expected = api.realisatiestimulans(variant="registratie", gemeente="GM0221")["variants"]["registratie"]
    assert expected["municipalities"][0]["years"][2025]["paid_cents"] == 3_500_000
    page = client.get("/instrumenten/realisatiestimulans?variant=registratie&gemeente=GM0221")
    text = " ".join(page.content.decode().split())
    assert page.status_code == 200 and '<option value="registratie" selected>' in text
    assert "op registratie" in text and "5 → € 35.000" in text and "0221VBO01072025-000001.xml" in text
    assert "2 → € 14.000" not in text  # op realisatie not asked for
    both = client.get("/instrumenten/realisatiestimulans?variant=alle&gemeente=GM0221").content.decode()
    both = " ".join(both.split())
    assert "2 → € 14.000" in both and "5 → € 35.000" in both
    default = " ".join(client.get("/instrumenten/realisatiestimulans?gemeente=GM0221").content.decode().split())
    assert "2 → € 14.000" in default and "5 → € 35.000" not in default
    rows = client.get("/instrumenten/realisatiestimulans?variant=registratie&gemeente=GM0221&formaat=csv")
    lines = rows.content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("registratie") and "3500000" in line for line in lines)
    bad = client.get("/instrumenten/realisatiestimulans?variant=later")
    assert bad.status_code == 400 and "Onbekende variant &#x27;later&#x27;" in bad.content.decode()
