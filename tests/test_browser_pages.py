"""Issue #19 in a real browser, over every main page (tests/browser.MAIN_PAGES, one list): no page is wider than
the window at 1366 and 1024 px and every page reflows at 390 and 320 px (WCAG 1.4.10); in English no text of the
catalogue is left in Dutch; axe-core finds no WCAG 2.1 A/AA violation, also at 390 px; the charts show every
label and their agreement lines; the job page shows no empty error box. Screenshots go to
test-artifacts/screenshots/ (the path is printed)."""

from datetime import date

import pytest

from .browser import (
    MAIN_PAGES,
    VISIBLE_TEXTS,
    axe_violations,
    browser_page,
    dutch_msgids,
    page_name,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.own_sqlite  # the server runs on a SQLite database of its own (tests/browser.py)
sync_api = pytest.importorskip("playwright.sync_api")


def _main_pages(page, server) -> list[str]:
    """The main pages and one project's page (the first of the list)."""
    page.goto(f"{server}/projecten")
    project = page.locator("table.utrecht-table tbody a").first.get_attribute("href")
    return [*MAIN_PAGES, project]


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", [1366, 1024, 390, 320])
def test_no_main_page_is_wider_than_the_window(server, width):
    wider = []
    with browser_page(width=width) as page:
        sign_in(page, server)
        for url in _main_pages(page, server):
            _open(page, server + url)
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                wider.append(f"{url}: {scroll} px in a window of {inner} px")
            if width <= 390:
                screenshot(page, f"reflow-{width}-{page_name(url)}")
    assert wider == []


def test_english_leaves_nothing_of_the_catalogue_in_dutch(server, page):
    """Every visible text (and accessible name) that is a Dutch msgid of the catalogue with a different English
    text is a failure: it was not wrapped in gettext, or its translation is missing."""
    dutch = dutch_msgids()
    assert "Opleveringen per jaar" in dutch  # the check reads the real catalogue
    sign_in(page, server)
    page.get_by_role("button", name="English").click()
    assert page.evaluate("document.documentElement.lang") == "en"
    left = {}
    for url in _main_pages(page, server):
        _open(page, server + url)
        found = sorted({t for t in page.evaluate(VISIBLE_TEXTS) if t in dutch})
        if found:
            left[url] = found
    screenshot(page, "engels-project")
    assert left == {}


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_violations_on_the_main_pages(server, width):
    violations = {}
    with browser_page(width=width) as page:
        sign_in(page, server)
        for url in _main_pages(page, server):
            _open(page, server + url)
            found = axe_violations(page)
            if found:
                violations[url] = found
    assert violations == {}


def test_charts_show_every_label_and_the_agreement_lines(server, page):
    expect = sync_api.expect
    sign_in(page, server)
    _open(page, server + "/")
    page.wait_for_function("document.querySelector('canvas[data-chart=grafiek-fase][data-ready]') !== null")
    # Pipeline by phase: 13 phases, every one labelled (no skipped ticks), as horizontal bars.
    phases = page.evaluate(
        """() => { const c = Chart.getChart(document.querySelector('canvas[data-chart=grafiek-fase]'));
                   return [c.data.labels.length, c.scales.y.ticks.length, c.options.indexAxis]; }"""
    )
    assert phases == [13, 13, "y"]
    # Deliveries per year: the yearly agreement (Woontop: 100.000 a year 2025-2029) as a line inside the chart.
    line = page.evaluate(
        """() => { const c = Chart.getChart(document.querySelector('canvas[data-chart=grafiek-jaren]'));
                   const d = c.data.datasets.find(s => s.type === 'line');
                   return d && [d.label, Math.max(...d.data.filter(v => v !== null)), c.scales.y.max]; }"""
    )
    assert line[0] == "Afspraak per jaar (2025-2029)" and line[1] == 100_000 and line[2] > line[1]
    screenshot(page, "grafieken-dashboard")

    # The forecast: while its job runs the job page shows no (empty) error box; the fan chart's agreement line
    # lies inside the chart's range, not on its top edge.
    _open(page, server + "/prognose")
    page.get_by_label("Aantal runs").select_option("1000")
    page.get_by_role("button", name="Prognose berekenen").click()
    if "/taken/" in page.url:
        expect(page.locator("#taakfout")).to_be_hidden()
    expect(page.locator("canvas[data-fanchart][data-ready]")).to_be_attached(timeout=60_000)
    label, top, agreed = page.evaluate(
        """() => { const c = Chart.getChart(document.querySelector('canvas[data-fanchart]'));
                   const d = c.data.datasets.at(-1);
                   return [d.label, c.scales.y.max, Math.max(...d.data.filter(v => v !== null))]; }"""
    )
    assert label == "Afspraak per jaar" and top > agreed
    screenshot(page, "prognose-afspraak-in-bereik")


# Today's quarter is always open on this module's server, so the running-quarter check never depends on the date
# the suite runs on (the demo's peilingen end at a fixed quarter).
OPEN_TODAYS_QUARTER = (
    "from datetime import date; from bouwregie.projects.services import get_or_open_peiling; "
    "d = date.today(); get_or_open_peiling(f'{d.year}-Q{(d.month - 1) // 3 + 1}')"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from .browser import running_server

    with running_server(tmp_path_factory.mktemp("var"), projects=300, setup=OPEN_TODAYS_QUARTER) as url:
        yield url


def test_closing_a_running_quarter_asks_for_confirmation(server, page):
    """The peilingen page warns when the quarter to close still runs; without the extra tick nothing closes."""
    expect = sync_api.expect
    today = date.today()
    sign_in(page, server)
    _open(page, server + "/peilingen")
    options = page.get_by_label("Peiling", exact=True).locator("option").all_inner_texts()
    running = [code for code in options if (int(code[:4]), int(code[-1])) >= (today.year, (today.month - 1) // 3 + 1)]
    assert running, options  # the server fixture opens today's quarter, whatever date the suite runs on
    expect(page.get_by_role("status").filter(has_text="loopt nog tot en met")).to_be_visible()
    page.get_by_label("Peiling", exact=True).select_option(running[0])
    page.get_by_label("Ik begrijp dat sluiten onomkeerbaar is").check()
    page.get_by_role("button", name="Peiling sluiten").click()
    expect(page.get_by_role("alert")).to_contain_text("Niets gesloten")
    screenshot(page, "peiling-lopend-kwartaal")


def test_the_main_menu_folds_behind_a_button_on_a_phone(server):
    expect = sync_api.expect
    with browser_page(width=390) as page:
        sign_in(page, server)
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("link", name="Kaart", exact=True)).to_be_hidden()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        page.get_by_role("link", name="Kaart", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert "/kaart" in page.url
    with browser_page(width=1280) as page:
        sign_in(page, server)
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(page.get_by_role("link", name="Kaart", exact=True)).to_be_visible()
