"""Per area and year: monitor realised vs CBS new build vs BAG deliveries, with the projects behind each
difference and their flags (issue #18; registraties.verschillen), through the CLI, the API and the web page,
with CSV/Excel downloads. Hand-computed from the projects and the hand-made Doesburg extract of
test_registraties_project, a CBS file written here, and peiling 2025-Q2 (reference date 30 June 2025).

monitor (actual opleveringen): A 3 homes in 2024, D 1 home in 2023            → 2023: 1, 2024: 3
BAG (new build in use, newest extract): A 2 + B 2 in 2024, D 2 in 2023          → 2023: 2, 2024: 4
CBS nieuwbouw (the file below)                                                   → 2023: 5, 2024: 4
Projects: A 2024 monitor 3 / BAG 2; B 2024 0 / 2; D 2023 1 / 2; C no difference but a flag (5 years)."""

import io
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from bouwregie.bag import importer as bag_importer
from bouwregie.bag import writer
from bouwregie.cbs import importer as cbs_importer
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.registraties import cli, verschillen
from tests import builders
from tests.roles import build_world
from tests.test_api import get
from tests.test_bag import pnd, vbo
from tests.test_cbs import row, write
from tests.test_registraties_project import PANDEN, extract, homes, projects

YEARS = [
    {"year": 2023, "monitor": 1, "cbs": 5, "bag": 2, "monitor_minus_cbs": -4, "monitor_minus_bag": -1},
    {"year": 2024, "monitor": 3, "cbs": 4, "bag": 4, "monitor_minus_cbs": -1, "monitor_minus_bag": -1},
]


@pytest.fixture
def loaded(db, tmp_path):
    made = projects()
    world = build_world()  # closes peiling 2025-Q2 (15 July 2025) with these projects in it
    for path in extract(tmp_path):
        bag_importer.import_file(path)
    cbs_importer.import_file(write(tmp_path, "81955NED_UntypedDataSet_01032025_090000.csv", [
        row(1, "GM0221", "2023JJ00", 5), row(2, "GM0221", "2024JJ00", 4)]))  # fmt: skip
    return {key: p.code for key, p in made.items()} | {"world": world}


def behind(result):
    return [(p["code"], [(d["year"], d["monitor"], d["bag"]) for d in p["differs_in"]], [f["code"] for f in p["flags"]])
            for p in result["projects"]]  # fmt: skip


def test_the_three_side_by_side_with_the_projects_behind(loaded):
    result = verschillen.differences("GM0221")
    assert result["years"] == YEARS and result["peiling"] == "2025-Q2"
    c = loaded
    assert behind(result) == [
        (c["B"], [(2024, 0, 2)], ["in_gebruik_bag_monitor_niet"]),
        (c["A"], [(2024, 3, 2)], ["opgeleverd_monitor_niet_bag"]),
        (c["D"], [(2023, 1, 2)], ["in_gebruik_bag_monitor_niet", "meer_in_bag_dan_project"]),
        (c["C"], [], ["bouw_gestart_lang"]),
    ]
    assert [e["file_name"] for e in result["sources"]["bag"]] == ["0221VBO01072025-000001.xml"]
    assert result["sources"]["cbs"][2024][0]["table"] == "81955NED"
    # The province holds Doesburg: the same figures; a single year narrows rows and differences.
    assert verschillen.differences("Gelderland")["years"] == YEARS
    one = verschillen.differences("Doesburg", [2024])
    assert one["years"] == YEARS[1:]
    assert behind(one)[:2] == [(c["B"], [(2024, 0, 2)], ["in_gebruik_bag_monitor_niet"]),
                               (c["A"], [(2024, 3, 2)], ["opgeleverd_monitor_niet_bag"])]  # fmt: skip
    assert [p[1] for p in behind(one)[2:]] == [[], []]


def test_years_are_read_strictly():
    assert verschillen.parse_years("2020-2022,2024") == [2020, 2021, 2022, 2024]
    assert verschillen.parse_years("") is None
    for bad in ("twintig", "2024-2020", "20x4"):
        with pytest.raises(ValueError, match=bad):
            verschillen.parse_years(bad)


def test_cli_table_json_and_csv(loaded):
    def run(*args):
        out = io.StringIO()
        call_command("registraties", "verschillen", *args, stdout=out)
        return out.getvalue()

    table = run("--area", "GM0221")
    assert "Monitor: peiling 2025-Q2 (peildatum 30 juni 2025)." in table
    assert "CBS: 81955NED #1 (2025-03-01)." in table and "BAG: 0221VBO01072025-000001.xml (stand 1 juli 2025)." in table
    assert "  2023         1         5         2           -4           -1" in table
    assert f"{loaded['A']} Delivered, not in BAG — 2024: monitor 3, BAG 2" in table
    assert json.loads(run("--gebied", "GM0221", "--jaar", "2023", "--format", "json"))["years"] == YEARS[:1]
    lines = run("--gebied", "GM0221", "--format", "csv").splitlines()
    header = "jaar;monitor gerealiseerd;CBS nieuwbouw;BAG opgeleverd (nieuwbouw);monitor − CBS;monitor − BAG"
    assert lines[:3] == [header, "2023;1;5;2;-4;-1", "2024;3;4;4;-1;-1"]
    assert lines[5].startswith(f'{loaded["B"]};In use, monitor behind;2024;0;2;"In de BAG zijn 2 gekoppelde woningen')
    with pytest.raises(CommandError, match="Nergensland"):
        run("--gebied", "Nergensland")
    with pytest.raises(CommandError, match="2030-2020"):
        run("--jaar", "2030-2020")


def test_api_and_page_with_downloads(client, loaded):
    world = loaded["world"]
    answer = get(client, world, "rijk", "/api/v1/registraties/verschillen?gebied=GM0221&jaar=2023-2024")
    assert answer.status_code == 200, answer.content
    assert answer.json()["years"] == YEARS and answer.json()["reference_date"] == "2025-06-30"
    assert answer.json()["sources"]["bag"][0]["stand_date"] == "2025-07-01"
    for url, status in (("?gebied=Nergensland", 400), ("?jaar=x", 400), ("?soort=x", 400), ("?peiling=1999-Q1", 404)):
        assert get(client, world, "rijk", "/api/v1/registraties/verschillen" + url).status_code == status, url
    assert get(client, world, "anoniem", "/api/v1/registraties/verschillen").status_code == 401
    client.force_login(world["users"]["rijk"])
    page = client.get("/registraties?gebied=GM0221").content.decode()
    assert "0221VBO01072025-000001.xml" in page and 'data-chart="grafiek-registraties"' in page
    assert f'href="/projecten/{loaded["D"]}"' in page and "Meer woningen opgeleverd in BAG dan het project telt" in page
    assert client.get("/registraties?gebied=Nergensland").status_code == 400
    csv = client.get("/registraties?gebied=GM0221&formaat=csv")
    assert csv["Content-Disposition"] == 'attachment; filename="registraties-GM0221-2025-Q2.csv"'
    assert csv.content.decode("utf-8-sig").splitlines()[1] == "2023;1;5;2;-4;-1"
    xlsx = client.get("/registraties?gebied=GM0221&formaat=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[3]] == [2024, 3, 4, 4, -1, -1]


def old_extract(tmp_path):
    """A Doesburg extract of 15 September 2023: A's pand started 2022, its three homes not in use; D's two homes in
    use on 1 January 2023. It cannot tell 2024 (reviewer's point 1 of issue #18)."""
    panden = [pnd(PANDEN[key], 1, "Bouw gestart", start) for key, start in (("A", "2022-03-01"), ("D", "2022-01-01"))]
    objects = [
        vbo(f"022101000091000{i}", 1, "Verblijfsobject gevormd", "2021-06-01", pand=PANDEN["A"]) for i in (1, 2, 3)
    ]
    for i in (1, 2):
        ident, pand = f"022101000094000{i}", PANDEN["D"]
        objects += [vbo(ident, 1, "Verblijfsobject gevormd", "2021-01-01", "2023-01-01", pand=pand),
                    vbo(ident, 2, "Verblijfsobject in gebruik", "2023-01-01", pand=pand)]  # fmt: skip
    pnd_file, vbo_file = tmp_path / "0221PND15092023-000001.xml", tmp_path / "0221VBO15092023-000001.xml"
    pnd_file.write_text(writer.part("PND", panden, "2023-09-15", ("0221",), "GEMEENTE"), encoding="utf-8")
    vbo_file.write_text(writer.part("VBO", objects, "2023-09-15", ("0221",), "GEMEENTE"), encoding="utf-8")
    return pnd_file, vbo_file


@pytest.fixture
def old(db, tmp_path):
    """projects() plus E, 4 homes delivered 1 March 2024 without polygon or BAG ids; only the 2023 extract."""
    made = projects()
    made["E"] = builders.create("Point only", "GM0221", homes=homes(4), geometry={"type": "Point", "coordinates": [
        6.14, 52.0]}, milestones=(M("oplevering", actual=date(2024, 3, 1)),))  # fmt: skip
    world = build_world()
    for path in old_extract(tmp_path):
        bag_importer.import_file(path)
    return {key: p.code for key, p in made.items()} | {"world": world}


def test_years_after_the_extract_are_not_comparable_and_unlinkable_projects_apart(old):
    result = verschillen.differences("GM0221")
    # monitor 2023: D 1; 2024: A 3 + E 4. BAG (stand 15-9-2023): 2023 D's 2; 2024 unknown, not 0.
    assert result["years"] == [
        {"year": 2023, "monitor": 1, "cbs": None, "bag": 2, "monitor_minus_cbs": None, "monitor_minus_bag": -1},
        {"year": 2024, "monitor": 7, "cbs": None, "bag": None, "monitor_minus_cbs": None, "monitor_minus_bag": None},
    ]
    # A delivered 30-6-2024, after the extract: no flag and no difference. D checked at 15-9-2023 (−92 = 15-6-2023).
    assert behind(result) == [(old["D"], [(2023, 1, 2)], ["in_gebruik_bag_monitor_niet", "meer_in_bag_dan_project"])]
    assert result["projects"][0]["flags"][0]["numbers"]["until"] == date(2023, 6, 15)
    assert result["not_linkable"] == [old["E"]]
    lines = cli.sources(result)
    assert lines[-1] == "BAG-extract van 15-9-2023: latere jaren niet te vergelijken."
    out = io.StringIO()
    call_command("registraties", "verschillen", "--gebied", "GM0221", stdout=out)
    table = out.getvalue()
    assert "  2024         7         –         –            –            –" in table
    assert f"1 project niet te koppelen (geen plangebied en geen BAG-id's): {old['E']}" in table
    assert old["A"] not in table
    csv = verschillen.table_rows(result)
    assert csv[2] == [2024, 7, None, None, None, None]
    assert csv[-2:] == [["niet te koppelen (geen plangebied en geen BAG-id's)", 1], [old["E"]]]
    world = old["world"]
    answer = get(client := Client(), world, "rijk", "/api/v1/registraties/verschillen?gebied=GM0221")
    assert answer.json()["years"][1]["bag"] is None and answer.json()["bag_until"] == "2023-09-15"
    client.force_login(world["users"]["rijk"])
    page = client.get("/registraties?gebied=GM0221").content.decode()
    assert "BAG-extract van 15-9-2023: latere jaren niet te vergelijken." in page and "br-not-linkable" in page


def test_no_extract_is_missing_not_zero_and_cbs_loaded_without_rows(loaded):
    result = verschillen.differences("GM0439", [2020])
    assert result["years"] == [{"year": 2020, "monitor": 0, "cbs": None, "bag": None, "monitor_minus_cbs": None,
                                "monitor_minus_bag": None}]  # fmt: skip
    assert cli.sources(result)[1:] == ["CBS: 81955NED geladen, zonder cijfers voor dit gebied en deze jaren.",
                                       "BAG: geen extract geladen."]  # fmt: skip
