"""Issue #19 in a real browser (Debian's Chromium, Playwright, `bouwregie serve` on a demo database of its own;
tests/browser.py): a realised project is found by its external id through the status filter, and the project
page draws the timeline of a milestone that slipped since the project's first version. Which project is realised,
and which slipped, is read from the same deterministic demo generator the server's database was made with."""

from datetime import date

import pytest

from bouwregie.demo.generator import generate
from bouwregie.demo.parameters import DemoParameters
from bouwregie.projects import timeline as tl
from bouwregie.projects.milestones import phase_label

from .browser import SCREENSHOTS, browser_page, prepared, serving, sign_in

pytestmark = pytest.mark.own_sqlite  # the server runs on a SQLite database of its own (tests/browser.py)
sync_api = pytest.importorskip("playwright.sync_api")
PROJECTS, SEED = 300, 5


@pytest.fixture(scope="module")
def demo():
    return generate(DemoParameters(projects=PROJECTS, seed=SEED))[0]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(prepared(tmp_path_factory.mktemp("var"), projects=PROJECTS, seed=SEED)) as url:
        yield url


@pytest.fixture
def page():
    with browser_page() as page:
        yield page


def test_the_status_filter_and_an_external_id_reach_a_realised_project(server, page, demo):
    expect = sync_api.expect
    realised = next(p for p in demo if p.versions[-1][0].lifecycle == "gerealiseerd")
    source, external_id = realised.external_ids[0]
    sign_in(page, server)
    page.goto(f"{server}/projecten")
    page.get_by_label("Zoek (naam, projectcode of extern id)").fill(external_id)
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("status")).to_contain_text("0 projecten gevonden")  # the active ones only, by default
    expect(page.get_by_text("Met een andere status: 1 project.")).to_be_visible()
    page.get_by_label("Projectstatus").select_option("gerealiseerd")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("status")).to_contain_text("1 project gevonden")
    page.screenshot(path=SCREENSHOTS / "15-projecten-gerealiseerd-extern-id.png", full_page=True)
    page.get_by_role("link", name=realised.versions[-1][0].name).click()
    expect(page.get_by_role("heading", name=realised.versions[-1][0].name)).to_be_visible()
    expect(page.locator(".br-attributes")).to_contain_text("Gerealiseerd")
    expect(page.locator(".br-external-ids")).to_contain_text(external_id)


def test_the_timeline_shows_a_slipped_milestone(server, page, demo):
    expect = sync_api.expect
    today = date.today()
    for project in demo:
        history = [data.milestones for data, _meta in project.versions]
        rows = tl.timeline(history[-1], tl.first_dates(history), None, today)
        slipped = [r for r in rows if r.slip_since_first and r.slip_since_first > 0]
        if slipped:
            break
    label = phase_label(slipped[0].kind) + (f" ({slipped[0].sequence})" if slipped[0].sequence > 1 else "")
    sign_in(page, server)
    page.goto(f"{server}/projecten/{project.code}")
    chart = page.locator("figure.br-tl")
    expect(chart).to_be_visible()
    row = chart.locator(".br-tl-row--slipped", has_text=label).first
    expect(row).to_be_visible()
    expect(row.locator("rect.br-tl-first")).to_have_count(1)  # where the first version had it
    table_row = page.locator("table.br-timeline tr", has=page.locator("th", has_text=label)).first
    expect(table_row).to_contain_text("later")
    chart.screenshot(path=SCREENSHOTS / "16-tijdlijn.png")
    page.set_viewport_size({"width": 390, "height": 844})
    assert chart.evaluate("e => e.scrollWidth <= e.clientWidth"), "the timeline reflows on a phone"
    chart.screenshot(path=SCREENSHOTS / "17-tijdlijn-390.png")
