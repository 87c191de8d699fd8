"""Issue #19 part 2 through the Django test client, on both databases: one notation (dates, numbers, euros,
sources), no dead ends (a running quarter needs a confirmation, the favicon, Woningbouwimpuls links only for who
may open them), downloads of the delays, alternatives and key-figure tables (inert cells, the page's column
names, Dutch and English), the import template and its column guide from the importer's own definitions, and
the project list export that goes back in through the upload without a profile."""

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.citations import DOCUMENTS, cite
from bouwregie.ingest.column_guide import guide
from bouwregie.ingest.export import TEMPLATE_COLUMNS
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.projects import services
from bouwregie.projects.models import Peiling, Project, ProjectVersion
from bouwregie.web.dashboard import yearly_agreement_line
from bouwregie.web.templatetags.money import euros
from bouwregie.web.templatetags.notation import datum, datumtijd

from .builders import create
from .roles import build_world, seat_user


@pytest.fixture
def world(db):
    return build_world()


def _text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


# --- notation --------------------------------------------------------------------------------------------------


def test_one_date_notation_whole_euros_and_sources_by_their_title():
    assert datum(date(2026, 11, 29)) == "29-11-2026" and datum("2027-06-01") == "1-6-2027" and datum(None) == "–"
    assert datumtijd(datetime(2026, 1, 5, 13, 7, tzinfo=UTC)) == "5-1-2026 14:07"  # Europe/Amsterdam, winter
    assert euros(245_000_000) == "€ 2.450.000" and euros(695_652) == "€ 6.956,52" and euros(-5) == "-€ 0,05"
    assert euros(None) == "–" and euros(0) == "€ 0"
    with translation.override("en"):
        assert euros(245_000_000) == "€ 2,450,000"
    assert (
        cite("Woontop 11 december 2024, Afspraak 1 en 19.1 (seed 004)")
        == "Woontop 11 december 2024, Afspraak 1 en 19.1"
    )
    assert cite("seed 002") == DOCUMENTS["002"] and "14 juli 2022" in cite("(seed 002): brief")
    assert (
        cite("Provinciale woningbouwafspraken, IPO/BZK 13 oktober 2022")
        == "Provinciale woningbouwafspraken, IPO/BZK 13 oktober 2022"
    )


def test_the_yearly_agreement_line_uses_slices_else_the_average_of_the_total():
    sliced = {"indicator": "bruto_woningen", "period": "2025-2029", "total": 500_000,
              "yearly": {str(y): {"target": 100_000} for y in range(2025, 2030)}}  # fmt: skip
    total = {"indicator": "bruto_woningen", "period": "2022-2030", "total": 83_500}
    share = {"indicator": "aandeel_betaalbaar", "period": "2025-2029", "target_share": 0.6667}
    assert yearly_agreement_line([share, total, sliced]) == ("Afspraak per jaar (2025-2029)",
                                                            {str(y): 100_000 for y in range(2025, 2030)})  # fmt: skip
    label, line = yearly_agreement_line([share, total])
    assert label == "Afspraak gemiddeld per jaar (2022-2030)" and set(line.values()) == {9_278}  # 83.500 / 9
    assert list(line) == [str(y) for y in range(2022, 2031)] and yearly_agreement_line([share]) == ("", {})


@given(st.integers(2000, 2099), st.integers(1, 4))
def test_a_quarter_runs_up_to_and_including_its_last_day(year, quarter):
    code = f"{year}-Q{quarter}"
    end = services.quarter_end(code)
    assert (end + timedelta(days=1)).day == 1 and (end + timedelta(days=1)).month == (quarter % 4) * 3 + 1
    assert services.quarter_running(code, end) and not services.quarter_running(code, end + timedelta(days=1))


def test_quarter_end_by_hand():
    assert services.quarter_end("2026-Q4") == date(2026, 12, 31) and services.quarter_end("2024-Q1") == date(
        2024, 3, 31
    )
    assert services.quarter_running("2026-Q4", date(2026, 11, 29))  # the example


# --- dead ends -------------------------------------------------------------------------------------------------


def test_closing_a_running_quarter_warns_and_needs_an_explicit_confirmation(client, world):
    today = date.today()
    code = f"{today.year}-Q{(today.month - 1) // 3 + 1}"  # the quarter running now
    client.force_login(world["users"]["beheerder"])
    services.close_peiling("2025-Q3", author="t", now=datetime(2025, 10, 15, tzinfo=UTC))
    for year, quarter in ((y, q) for y in range(2025, today.year + 1) for q in range(1, 5)):
        if (2025, 3) < (year, quarter) < (today.year, (today.month - 1) // 3 + 1):
            services.close_peiling(f"{year}-Q{quarter}", author="t", now=datetime(year + quarter // 4,
                                   quarter % 4 * 3 + 1, 2, tzinfo=UTC))  # fmt: skip
    page = _text(client.get("/peilingen"))
    end = datum(services.quarter_end(code))
    assert f"Het kwartaal van peiling {code} loopt nog tot en met {end}." in page
    assert "Ik wil een peiling sluiten waarvan het kwartaal nog loopt." in page
    refused = client.post("/peilingen", {"peiling": code, "zeker": "ja"}, follow=True)
    assert "Niets gesloten: vink aan dat u toch nu wilt sluiten." in _text(refused)
    assert not Peiling.objects.filter(code=code, closed_at__isnull=False).exists()
    closed = client.post("/peilingen", {"peiling": code, "zeker": "ja", "lopend": "ja"})
    assert closed.status_code == 302 and Peiling.objects.get(code=code).closed_at is not None


def test_the_cli_and_the_api_refuse_a_running_quarter_without_their_flag(client, world):
    from django.core.management import CommandError, call_command

    today = date.today()
    code = f"{today.year + 1}-Q1"  # a quarter that has not even begun
    with pytest.raises(CommandError, match="--allow-running-quarter"):
        call_command("peiling", "close", code, stdout=io.StringIO())
    assert not Peiling.objects.filter(code=code, closed_at__isnull=False).exists()  # nothing written
    key = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}"}
    refused = client.post(f"/api/v1/peilingen/{code}/closure", **key)
    assert refused.status_code == 400 and "loopt nog" in refused.json()["detail"]
    assert client.post(f"/api/v1/peilingen/{code}/closure?lopend_kwartaal=true", **key).status_code == 200


def test_the_favicon_is_served_and_linked(client, world):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("web/favicon.svg")
    assert '<link rel="icon" href="/static/web/favicon.svg"' in client.get("/").content.decode()
    from django.contrib.staticfiles import finders

    assert open(finders.find("web/favicon.svg"), encoding="utf-8").read().startswith("<svg")


@pytest.mark.parametrize(
    ("role", "submit", "ranking"),
    [("corporatie", False, False), ("gemeente_utrecht", True, False), ("rijk", False, True),
     ("beheerder", True, True), ("anoniem", False, False)],
)  # fmt: skip
def test_woningbouwimpuls_links_only_for_who_may_open_them(client, world, role, submit, ranking):
    """A market party (here: also a corporation reader) sees no link that answers 403; every link shown opens."""
    if role != "anoniem":
        client.force_login(world["users"][role])
    page = client.get("/instrumenten/realisatiestimulans").content.decode()
    assert ('href="/instrumenten/woningbouwimpuls/aanvragen"' in page) is submit
    assert ('href="/instrumenten/woningbouwimpuls"' in page) is ranking
    for link in re.findall(r'href="(/instrumenten/[^"?#]*)"', page):
        assert client.get(link).status_code == 200, link


def test_a_market_party_sees_no_woningbouwimpuls_links(client, world):
    client.force_login(seat_user("ontwikkelaar", "Bouwer BV", "ontwikkelaar", None, None, "bewerker"))
    page = client.get("/instrumenten/gemeente/GM0344").content.decode()
    assert "/instrumenten/woningbouwimpuls" not in page


# --- downloads -------------------------------------------------------------------------------------------------


@pytest.fixture
def delayed_world(db):
    """The roles' world plus a project named like a formula (in peiling 2025-Q2 too); between 2025-Q2 and 2025-Q3
    the delivery of both Utrecht projects moves from 2027 to 1 June 2028."""
    from dataclasses import replace

    from bouwregie.projects.rules import MilestoneData as M

    evil = create("=HYPERLINK(\"http://x.example\",\"klik\")", "GM0344", homes={"dure_koop": {"gestapeld": 5}},
                  milestones=(M("oplevering", planned=date(2027, 1, 1)),))  # fmt: skip
    world = build_world()
    for code in (world["utrecht"], evil.code):
        project = Project.objects.get(code=code)
        current = services.current_data([project.id])[project.id][1]
        later = tuple(replace(m, planned=date(2028, 6, 1)) if m.kind == "oplevering" else m for m in current.milestones)
        meta = services.VersionMeta("t", "web", "later", created_at=datetime(2025, 8, 1, tzinfo=UTC))
        services.create_version(project, replace(current, milestones=later), meta)
    services.close_peiling("2025-Q3", author="t", now=datetime(2025, 10, 15, tzinfo=UTC))
    return world


def _page_with_downloads(client, world, url: str) -> str:
    """The page (as the beheerder), after checking it links its CSV and Excel downloads."""
    client.force_login(world["users"]["beheerder"])
    page = client.get(url).content.decode()
    assert "formaat=csv" in page and "formaat=xlsx" in page
    return page


def test_the_delays_download_has_the_page_columns_in_both_languages_and_inert_cells(client, delayed_world):
    query = "gebied=GM0344&van=2025-Q2&tot=2025-Q3&maanden=3"
    _page_with_downloads(client, delayed_world, f"/vertragingen?{query}")
    rows = _csv(client.get(f"/vertragingen?{query}&formaat=csv"))
    assert rows[0] == ["Project", "Projectcode", "Gemeente", "Woningen geraakt", "Wat schoof"]
    names = [r[0] for r in rows[1:]]
    assert "Merwedekanaalzone" in names and '\'=HYPERLINK("http://x.example","klik")' in names  # inert
    assert any("Oplevering: 1-6-2027 → 1-6-2028" in r[4] for r in rows[1:])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/vertragingen?{query}&formaat=xlsx").content)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == rows[0] and all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = _csv(client.get(f"/vertragingen?{query}&formaat=csv", HTTP_ACCEPT_LANGUAGE="en"))
    assert english[0] == ["Project", "Project code", "Municipality", "Homes affected", "What slipped"]


def test_the_alternatives_and_key_figures_downloads(client, delayed_world):
    query = "gebied=GM0344&peiling=2025-Q3&jaar=2027&tekort=50"
    page = _page_with_downloads(client, delayed_world, f"/alternatieven?{query}")
    rows = _csv(client.get(f"/alternatieven?{query}&formaat=csv"))
    assert rows[0] == ["Rang", "Project", "Projectcode", "Gemeente", "Score", "Woningen naar voren", "Uit jaar",
                       "Cumulatief", "Redenen"]  # fmt: skip
    shown = re.findall(r'scope="row"><a class="utrecht-link" href="/projecten/([^"]+)"', page)
    assert [r[2] for r in rows[1:]] == shown  # the same candidates in the same order
    figures = _csv(client.get("/gebied/PV26?peiling=2025-Q3&formaat=csv"))
    assert figures[0] == ["Gebied", "Code", "Projecten", "Plancapaciteit", "Hard", "Gerealiseerd", "Betaalbaar",
                          "Capaciteit / opgave"]  # fmt: skip
    utrecht = next(r for r in figures[1:] if r[1] == "GM0344")
    assert utrecht[0] == "Utrecht" and utrecht[2] == "2"  # both Utrecht projects


# --- import template, column guide, export round trip ---------------------------------------------------------


def test_the_column_guide_comes_from_the_importers_definitions(client, world):
    rows = guide()
    assert [r["column"] for r in rows] == list(TEMPLATE_COLUMNS)
    assert [r["column"] for r in rows if not r["read"]] == ["gemeente", "provincie", "fase", "woningen_totaal"]
    assert all(r["meaning"] != "niet ingelezen" for r in rows)  # every column is read or derived
    by_column = {r["column"]: r["meaning"] for r in rows}
    assert (
        by_column["projectnaam"] == "projectnaam"
        and by_column["start_bouw_gepland"] == "mijlpaal Start bouw: geplande datum"
    )
    client.force_login(world["users"]["provincie_utrecht"])
    upload = client.get("/planlijsten").content.decode()
    assert 'href="/planlijsten/sjabloon.csv"' in upload and 'href="/planlijsten/kolommen"' in upload
    template = _csv(client.get("/planlijsten/sjabloon.csv"))
    assert template == [list(TEMPLATE_COLUMNS)]
    page = _text(client.get("/planlijsten/kolommen"))
    assert "start_bouw_gepland mijlpaal Start bouw: geplande datum ja" in page
    assert _csv(client.get("/planlijsten/kolommen?formaat=csv"))[0] == ["Kolom", "Betekenis", "Ingelezen"]


def test_the_project_list_export_goes_back_in_without_a_profile(client, world, tmp_path):
    client.force_login(world["users"]["beheerder"])
    exported = client.get("/projecten/export.csv").getvalue()
    assert exported.decode("utf-8-sig").splitlines()[0].split(";") == list(TEMPLATE_COLUMNS)
    path = tmp_path / "projecten.csv"
    path.write_bytes(exported)
    versions = ProjectVersion.objects.count()
    result = run_import(path, ImportOptions(source="export", author="tester"))  # no profile: recognised
    assert result.run.counts["unchanged"] == 2 and result.run.counts["changed"] == 0
    assert ProjectVersion.objects.count() == versions


def _result(codes: list[str]) -> dict:
    """A realisatiestimulans result (instruments.api's shape) with one municipality per code, € 7.000 each."""
    year = {"homes": {"sociale_huur": 1}, "claim_cents": 700_000, "set_off_cents": 0, "surcharges_cents": {},
            "paid_cents": 700_000, "payment": "2026-Q4"}  # fmt: skip
    total = {"claims_cents": 0, "ceiling_cents": 0, "set_off_cents": 0, "paid_cents": 0, "payment": "2026-Q4",
             "complete": True, "scaled": False}  # fmt: skip
    municipalities = [{"code": c, "name": f"Gemeente {c}", "paid_cents": 700_000, "years": {2025: year}} for c in codes]
    return {"peiling": "2025-Q2", "variants": {v: {"municipalities": municipalities, "years": {2025: total}}
                                               for v in ("realisatie", "startbouw")}}  # fmt: skip


def test_realisatiestimulans_rows_per_province_sorted_by_name():
    from bouwregie.web.instrument_pages import in_province, municipality_rows

    result = _result(["GM0363", "GM0344", "GM0014"])
    rows, years = municipality_rows(in_province(result, {"GM0344", "GM0014"}))
    assert [r["code"] for r in rows] == ["GM0014", "GM0344"] and years == [2025]
    assert rows[0]["years"] == [{"year": 2025, "realised": 1, "paid_realised": 700_000, "started": 1,
                                 "paid_started": 700_000}]  # fmt: skip


def test_the_realisatiestimulans_page_has_a_province_filter_and_pages(client, world, monkeypatch):
    from bouwregie.geo.models import Municipality
    from bouwregie.instruments import api

    codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    monkeypatch.setattr(api, "realisatiestimulans", lambda peiling, gemeente=None, variant="beide": _result(codes))
    first = client.get("/instrumenten/realisatiestimulans").content.decode()
    assert "342 gemeenten met een bijdrage; deze pagina toont er 25." in _text(
        client.get("/instrumenten/realisatiestimulans")
    )
    assert first.count('href="/instrumenten/gemeente/') == 25 and "pagina=14" in first and ",00" not in first
    last = _text(client.get("/instrumenten/realisatiestimulans?pagina=14"))
    assert "deze pagina toont er 17." in last  # 342 = 13 × 25 + 17
    utrecht = client.get("/instrumenten/realisatiestimulans?provincie=PV26").content.decode()
    in_utrecht = Municipality.objects.filter(province_id="PV26").count()
    assert utrecht.count('href="/instrumenten/gemeente/') == min(in_utrecht, 25) and 'value="PV26" selected' in utrecht
    rows = _csv(client.get("/instrumenten/realisatiestimulans?provincie=PV26&formaat=csv"))
    assert {r[1] for r in rows[1:]} == set(
        Municipality.objects.filter(province_id="PV26").values_list("code", flat=True)
    )
    bad = client.get("/instrumenten/realisatiestimulans?provincie=PV99")
    assert bad.status_code == 400 and "Onbekende provincie 'PV99'" in _text(bad)
