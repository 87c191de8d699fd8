"""The quarterly report and the national PPM-use overview (issue #20), on a small world computed by hand.

Three woondeals (as agreed from 2022): WD-A = Amsterdam (GM0363) + Aalsmeer (GM0358), taakstelling 900 with
jaarschijven of 100 a year 2022–2030; WD-B = Utrecht (GM0344); WD-C = Amstelveen (GM0362). Three peilingen
close on 15 April, 15 July and 15 October 2025 (2025-Q1, Q2, Q3). Versions, by quarter:

    Q1 (author "test"): A1 Amsterdam 100 sociale huur, delivered 2023 (gerealiseerd)
                        A2 Amsterdam 200 dure koop, 1A, oplevering planned 1-6-2027, open book -987.654,
                           knelpunt netcongestie
                        C1 Amstelveen 50 sociale huur, planned 2026
                        U1 Utrecht 70 sociale huur, planned 2026
    Q2 (author "test"): A2 oplevering planned 1-6-2028 (a delay of 12 months; 200 homes out of 2027)
                        B1 Aalsmeer 60 middenhuur + 40 betaalbare koop, 3 (zacht), planned 2028 (new)
    Q3: A2 by "corporatie" (a seat at a corporation): geometry added
        U1 by "gemeente_utrecht" (a seat at the gemeente): phasing unchanged, name changed

Nothing in Amstelveen after Q1: WD-C is silent in Q2 and Q3 (silent_for 2 at Q3).
"""

import csv
import io
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from bouwregie import cells
from bouwregie.jobs.models import Job
from bouwregie.projects import services
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.projects.services import VersionMeta
from bouwregie.rapport import content, ppm
from bouwregie.woondeals import store

from .builders import create
from .roles import seat_user

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "rapport"
OPEN_BOOK_VALUE = -987_654
SQUARE = {"type": "Polygon", "coordinates": [[[4.9, 52.37], [4.91, 52.37], [4.91, 52.38], [4.9, 52.38], [4.9, 52.37]]]}


def deal(name, members, total=None, slices=None):
    return {"name": name, "provinces": ["PV27"] if "GM0344" not in str(members) else ["PV26"], "members": members,
            "signatories": [], "taakstelling_total": total, "jaarschijven": slices or {},
            "source": "Testdata, fictief", "valid_from": "2022-01-01"}  # fmt: skip


def new_version(code, when, author="test", **changes):
    project = Project.objects.get(code=code)
    _vid, data = services.current_data([project.id])[project.id]
    meta = VersionMeta(author=author, source="edit", reason="fixture", created_at=when)
    return services.create_version(project, replace(data, **changes), meta)


@pytest.fixture
def world(db):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    slices = {str(y): 100 for y in range(2022, 2031)}
    a = deal("Woondeal A", [{"code": "GM0363"}, {"code": "GM0358"}], 900, slices)
    store.record("WD-A", a, author="test", reason="start", now=start)
    store.record("WD-B", deal("Woondeal B", [{"code": "GM0344"}]), author="test", reason="start", now=start)
    store.record("WD-C", deal("Woondeal C", [{"code": "GM0362"}]), author="test", reason="start", now=start)
    seat_user("corporatie", "Woningstichting", "corporatie", None, None, "bewerker")
    seat_user("gemeente_utrecht", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker")
    q1 = datetime(2025, 3, 1, tzinfo=UTC)
    a1 = create("A1", "GM0363", when=q1, lifecycle="gerealiseerd", homes={"sociale_huur": {"gestapeld": 100}},
                milestones=(M("oplevering", actual=date(2023, 5, 1)),))  # fmt: skip
    a2 = create("A2", "GM0363", when=q1, plan_status="1A", homes={"dure_koop": {"gestapeld": 200}},
                open_book={"grondexploitatie": OPEN_BOOK_VALUE}, bottlenecks=("netcongestie",),
                milestones=(M("oplevering", planned=date(2027, 6, 1)),))  # fmt: skip
    create("C1", "GM0362", when=q1, homes={"sociale_huur": {"gestapeld": 50}},
           milestones=(M("oplevering", planned=date(2026, 6, 1)),))  # fmt: skip
    u1 = create("U1", "GM0344", when=q1, plan_status="1A", homes={"sociale_huur": {"gestapeld": 70}},
                milestones=(M("oplevering", planned=date(2026, 6, 1)),))  # fmt: skip
    services.close_peiling("2025-Q1", author="test", now=datetime(2025, 4, 15, tzinfo=UTC))
    q2 = datetime(2025, 5, 1, tzinfo=UTC)
    new_version(a2.code, q2, milestones=(M("oplevering", planned=date(2028, 6, 1)),))
    b1 = create("B1", "GM0358", when=q2, plan_status="3",
                homes={"middenhuur": {"gestapeld": 60}, "betaalbare_koop": {"gestapeld": 40}},
                milestones=(M("oplevering", planned=date(2028, 6, 1)),))  # fmt: skip
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    q3 = datetime(2025, 8, 1, tzinfo=UTC)
    new_version(a2.code, q3, author="corporatie", geometry=SQUARE)
    new_version(u1.code, q3, author="gemeente_utrecht", name="U1 Merwede")
    services.close_peiling("2025-Q3", author="test", now=datetime(2025, 10, 15, tzinfo=UTC))
    return {"A1": a1.code, "A2": a2.code, "B1": b1.code, "U1": u1.code}


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def test_the_content_by_hand(world):
    r = content.build("woondeal-wd-a", "2025-Q2", forecast_runs=200)
    assert r["area"]["code"] == "woondeal-wd-a" and r["previous"] == "2025-Q1"
    main = r["progress"]["main"]
    assert (main["total"], main["realised"], main["planned"], main["remaining"]) == (900, 100, 300, 800)
    years = {y["year"]: (y["realised"], y["planned"], y["agreement"]) for y in r["progress"]["years"]}
    assert years["2023"] == (100, 0, 100) and years["2028"] == (0, 300, 100) and years["2027"] == (0, 0, 100)
    changes = r["changes"]
    assert (changes["new"]["projects"], changes["new"]["homes"]) == (1, 100)  # B1
    assert [p["code"] for p in changes["new"]["listed"]] == [world["B1"]]
    assert [p["code"] for p in changes["changed"]["listed"]] == [world["A2"]]
    assert changes["delivered"]["projects"] == changes["dropped"]["projects"] == 0
    delays = r["delays"]
    assert [p["code"] for p in delays["projects"]] == [world["A2"]]
    assert delays["moved_out_of_year"] == {"2027": 200}
    # Plan capacity: A2 200 + B1 100 = 300 against 900 − 100 = 800 remaining: 37,5%, below 130%.
    capacity = r["capacity"]
    assert (capacity["plan_capacity"], capacity["remaining_task"], capacity["ratio"]) == (300, 800, 0.375)
    assert r["capacity"]["meets_norm"] is False
    # Pipeline segments: 200 dure koop, 60 middenhuur, 40 betaalbare koop → affordable 100/300.
    assert r["segments"]["affordable_share"] == 0.3333 and r["segments"]["affordable_ok"] is False
    assert [(b["code"], b["projects"], b["homes"]) for b in r["bottlenecks"]] == [("netcongestie", 1, 200)]
    assert [b["code"] for b in r["bottlenecks"][0]["listed"]] == [world["A2"]]
    assert r["open_book"] is None  # the public version
    # 2025: 100 a year and nothing planned → the alternatives are for 2025.
    assert r["alternatives"]["year"] == 2025
    assert r["forecast"]["runs"] == 200 and r["forecast"]["seed"] == content.REPORT_SEED
    assert 0 <= r["forecast"]["main"]["probability"] <= 1 and r["forecast"]["main"]["target"] == 900
    # The fan counts from 2022 like the agreement: the 100 homes of 2023 are in every run's every year.
    assert r["forecast"]["fan_from"] == 2022 and r["forecast"]["fan"][0] | {"mean": 100.0} == {
        "year": 2025,
        "p10": 100,
        "p50": 100,
        "p90": 100,
        "mean": 100.0,
    }
    tafel = content.build("woondeal-wd-a", "2025-Q2", audience="tafel", forecast_runs=200)
    assert tafel["open_book"] == [{"code": world["A2"], "name": "A2", "municipality": "Amsterdam",
                                   "items": [{"item": "grondexploitatie", "value": OPEN_BOOK_VALUE}]}]  # fmt: skip


def test_the_report_is_reproducible(world):
    one = content.build("woondeal-wd-a", "2025-Q2", forecast_runs=100)
    two = content.build("woondeal-wd-a", "2025-Q2", forecast_runs=100)
    assert one["forecast"] == two["forecast"]


def test_an_open_or_unknown_peiling_is_refused(world):
    with pytest.raises(content.ReportRefused, match="2031-Q1"):
        content.build("NL", "2031-Q1")
    services.get_or_open_peiling("2025-Q4")
    with pytest.raises(content.ReportRefused, match="nog niet gesloten"):
        content.build("NL", "2025-Q4")


def test_the_pdf_holds_area_peiling_figures_and_sections(world, tmp_path):
    from bouwregie.rapport import pdf

    r = content.build("woondeal-wd-a", "2025-Q2", forecast_runs=200)
    text = pdf_text(pdf.render(r), tmp_path)
    for expected in ("Kwartaalrapportage Woondeal A", "2025-Q2", "Voortgang tegen de afspraak",
                     "Wat veranderde sinds de vorige peiling", "Vertragingen", "Voorgestelde alternatieven",
                     "Prognose", "Segmenten", "Plancapaciteit", "Knelpunten", "Gebruik van het PPM",
                     "Afspraak 2022-2030: 900 woningen; gerealiseerd 100, gepland 300, nog te gaan 800.",
                     "37,5%", "33,3%", "130,0%", "Netcongestie", world["A2"], world["B1"]):  # fmt: skip
        assert expected in " ".join(text.split()), expected
    assert "987" not in text and "Open boeken" not in text  # the public version: no open-book figure
    tafel = pdf_text(pdf.render(content.build("woondeal-wd-a", "2025-Q2", audience="tafel", forecast_runs=200)),
                     tmp_path)  # fmt: skip
    assert "-987.654" in tafel and "Open boeken (vertrouwelijk)" in tafel


def test_the_footer_names_the_area_as_written(world, tmp_path):
    """The footer is a CSS string: a name with '-' or quotes reads as written (escapejs used to show '\\u002D')."""
    from bouwregie.rapport import pdf
    from bouwregie.rapport.templatetags.rapport import css_tekst

    assert css_tekst('Noord-Holland "x"</style>') == "Noord\\2D Holland \\22 x\\22 \\3C \\2F style\\3E "
    r = content.build("woondeal-wd-a", "2025-Q2", forecast_runs=100)
    r["area"]["name"] = 'Noord-Holland "Zuid"'
    text = " ".join(pdf_text(pdf.render(r), tmp_path).split())
    assert 'Noord-Holland "Zuid" · 2025-Q2' in text and "u002D" not in text


def test_the_pdf_in_english(world, tmp_path):
    from bouwregie.rapport import pdf

    text = pdf_text(pdf.render(content.build("woondeal-wd-a", "2025-Q2", language="en", forecast_runs=100)),
                    tmp_path)  # fmt: skip
    assert "2025-Q2" in text and "37.5%" in text


def test_a_rendered_page_is_saved_for_a_person_to_look_at(world, tmp_path):
    from bouwregie.rapport import pdf

    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf.render(content.build("woondeal-wd-a", "2025-Q2", audience="tafel", forecast_runs=200)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(path), str(ARTIFACTS / "rapport")],
                   check=True)  # fmt: skip
    pages = sorted(ARTIFACTS.glob("rapport-*.png"))
    assert pages and pages[0].stat().st_size > 5_000


def test_the_cli_writes_pdf_and_workbook(world, tmp_path):
    out = tmp_path / "r.pdf"
    call_command("rapport", "--area", "woondeal-wd-a", "--peiling", "2025-Q2", "--format", "pdf", "--output",
                 str(out), "--runs", "100", stdout=StringIO())  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF")
    book = tmp_path / "r.xlsx"
    call_command("rapport", "--area", "woondeal-wd-a", "--peiling", "2025-Q2", "--format", "xlsx", "--output",
                 str(book), "--runs", "100", "--tafel", "--lang", "en", stdout=StringIO())  # fmt: skip
    sheets = openpyxl.load_workbook(book).worksheets
    values = [v for ws in sheets for row in ws.iter_rows(values_only=True) for v in row]
    assert OPEN_BOOK_VALUE in values  # the version for the table


def test_the_ppm_use_table_by_hand(world):
    table = ppm.overview("2025-Q3")
    rows = {r["code"]: r for r in table["rows"]}
    a, b, c = rows["WD-A"], rows["WD-B"], rows["WD-C"]
    # WD-A: A1, A2, B1 in the peiling; one version in Q3 (A2, by the corporation); 1 of 3 fresh.
    assert (a["projects"], a["active"], a["versions"]) == (3, 2, 1)
    assert a["by_group"] == {"gemeenten": 0, "corporaties": 1, "marktpartijen": 0, "overig": 0}
    assert a["fresh_share"] == 0.3333 and a["oldest_update"] == datetime(2025, 3, 1, tzinfo=UTC)
    # Active A2 and B1: both with segment, planned delivery and milestones; only A2 has a geometry.
    assert a["complete"] == {"segment": 1.0, "planned_delivery": 1.0, "milestones": 1.0, "geometry": 0.5}
    assert a["lights"] == {"present": "groen", "delivery": "oranje", "freshness": "oranje", "completeness": "rood"}
    # WD-B: U1 updated in Q3 by the gemeente: fresh 1/1; no corporation or market party delivered.
    assert (b["projects"], b["versions"], b["by_group"]["gemeenten"], b["fresh_share"]) == (1, 1, 1, 1.0)
    assert b["lights"]["delivery"] == "oranje" and b["lights"]["freshness"] == "groen"
    # WD-C: nothing since Q1: silent in Q2 and Q3.
    assert (c["projects"], c["versions"], c["silent"], c["silent_for"], c["fresh_share"]) == (1, 0, True, 2, 0.0)
    assert c["lights"]["delivery"] == "rood" and c["lights"]["freshness"] == "rood"
    assert table["silent"] == ["WD-C"]
    q2 = {r["code"]: r for r in ppm.overview("2025-Q2")["rows"]}
    assert q2["WD-C"]["silent_for"] == 1 and q2["WD-A"]["versions"] == 2 and q2["WD-B"]["silent_for"] == 1


def canonical(value):
    """A cell as both files hold it: numbers as numbers (an .xlsx gives 1 back for 1.0), text as text."""
    value = cells.restored(value)
    if value is None or value == "":
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def sheet_rows(book, name) -> list[list]:
    return [[canonical(v) for v in row] for row in book[name].iter_rows(values_only=True)]


def csv_rows(client, url) -> list[list]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode("utf-8-sig")
    return [[canonical(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=";")]


def test_the_workbook_sheets_equal_the_csv_downloads(client, world):
    """Each sheet with a download on a page holds that download's rows, cell for cell."""
    from bouwregie.rapport import workbook

    client.force_login(seat_user("beheer", "Platform", "other", None, None, "beheerder"))
    book = openpyxl.load_workbook(io.BytesIO(workbook.render(content.build("woondeal-wd-a", "2025-Q2",
                                                                            forecast_runs=100))))  # fmt: skip
    downloads = {
        "Vertragingen": "/vertragingen?gebied=woondeal-wd-a&van=2025-Q1&tot=2025-Q2&formaat=csv",
        "Alternatieven": "/alternatieven?gebied=woondeal-wd-a&peiling=2025-Q2&jaar=2025&formaat=csv",
        "Jaarschijven": "/woondeals/WD-A/voortgang?peiling=2025-Q2&tabel=jaren&formaat=csv",
        "Gemeenten": "/woondeals/WD-A/voortgang?peiling=2025-Q2&tabel=gemeenten&formaat=csv",
    }
    for sheet, url in downloads.items():
        assert sheet_rows(book, sheet) == csv_rows(client, url), sheet
    assert [r[0] for r in sheet_rows(book, "PPM-gebruik")[1:]] == ["WD-A"]  # WD-A's report: its own region
    nl = openpyxl.load_workbook(io.BytesIO(workbook.render(content.build("NL", "2025-Q2", forecast_runs=100))))
    assert sheet_rows(nl, "Kerncijfers") == csv_rows(client, "/?peiling=2025-Q2&formaat=csv")
    ppm_rows = csv_rows(client, "/ppm-gebruik?peiling=2025-Q2&formaat=csv")
    assert sheet_rows(nl, "PPM-gebruik") == ppm_rows and len(ppm_rows) == 4
    public = [c.value for s in book for row in s for c in row]
    assert OPEN_BOOK_VALUE not in public and "grondexploitatie" not in public  # the public workbook: no open book
    formulas = [c.value for ws in (book, nl) for s in ws for row in s for c in row if str(c.value).startswith("=")]
    assert formulas == []  # values only


def test_the_web_page_runs_a_job_and_downloads(client, world, settings, tmp_path):
    settings.REPORT_DIR = tmp_path
    client.force_login(seat_user("gemeente_amsterdam", "Gemeente Amsterdam", "gemeente", "PV27", "GM0363", "lezer"))
    assert client.get("/rapport").status_code == 200
    form = {"gebied": "woondeal-wd-a", "peiling": "2025-Q2", "doelgroep": "publiek", "taal": "nl", "formaat": "pdf"}
    response = client.post("/rapport", form)
    assert response.status_code == 302 and response["Location"].startswith("/taken/")
    job = Job.objects.get(pk=int(response["Location"].rsplit("/", 1)[1]))
    assert job.status == Job.Status.KLAAR and job.params["report_language"] == "nl"
    done = client.get(response["Location"])
    assert done.status_code == 302 and done["Location"] == f"/rapport/{job.pk}"
    pdf = client.get(done["Location"])
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    # Amsterdam is at WD-A's table (a member); Utrecht's table is not its own.
    assert client.post("/rapport", {**form, "doelgroep": "tafel", "formaat": "xlsx"}).status_code == 302
    refused = client.post("/rapport", {**form, "gebied": "GM0344", "doelgroep": "tafel"})
    assert refused.status_code == 403 and "partijen aan tafel" in refused.content.decode()
    wrong = client.post("/rapport", {**form, "peiling": "2030-Q1"})
    assert wrong.status_code == 400 and "gesloten peiling" in wrong.content.decode()
    # Someone else's report is not theirs to download.
    client.force_login(seat_user("ander", "Gemeente Zeist", "gemeente", "PV26", "GM0355", "lezer"))
    assert client.get(f"/rapport/{job.pk}").status_code == 403


def test_the_api_starts_and_downloads(client, world, settings, tmp_path):
    from bouwregie.accounts import tokens

    settings.REPORT_DIR = tmp_path
    key = tokens.issue(seat_user("provincie", "Provincie Noord-Holland", "provincie", "PV27", None, "lezer"), "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    body = {"area": "woondeal-wd-a", "peiling": "2025-Q2", "format": "xlsx", "audience": "tafel", "language": "en"}
    started = client.post("/api/v1/rapport", body, content_type="application/json", **auth)
    assert started.status_code == 202, started.content
    job = started.json()
    assert job["done"] and job["download"] == f"/api/v1/rapport/{job['id']}"
    got = client.get(job["download"], **auth)
    assert got.status_code == 200 and "spreadsheetml" in got["Content-Type"]
    sheets = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content))).worksheets
    assert OPEN_BOOK_VALUE in [v for ws in sheets for row in ws.iter_rows(values_only=True) for v in row]
    wrong = client.post("/api/v1/rapport", {**body, "format": "docx"}, content_type="application/json", **auth)
    assert wrong.status_code == 400


def test_the_ppm_page(client, world):
    client.force_login(seat_user("lezer", "Rijk", "rijk", None, None, "lezer"))
    page = client.get("/ppm-gebruik?peiling=2025-Q3").content.decode()
    assert "Woondeal C" in page and "br-light--rood" in page and "Stil dit kwartaal" in page
