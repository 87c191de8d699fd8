"""End to end in a real browser (issue #5): Debian's Chromium driven by Playwright against the real server
(`bouwregie serve`: gunicorn, whitenoise, the collected static files) on its own database, made with the
real commands (`bouwregie init`, `bouwregie demo`; tests/browser.py). Sign in, drill down from Nederland to a
municipality, find a project, read its milestones, switch to English. Screenshots of each step land in
test-artifacts/screenshots/.

The server's database is a SQLite file of its own in both test runs: the test database of pytest-django
lives in a transaction the server process cannot see, and the page code is the same on both backends
(the test-client tests of tests/test_web.py run on both). The set-up (fixtures `server` and `page`) is shared
with the other browser tests: tests/browser.py."""

from datetime import date

import pytest

from .browser import SCREENSHOTS, sign_in

pytestmark = pytest.mark.own_sqlite  # the server runs on a SQLite database of its own (tests/browser.py)
sync_api = pytest.importorskip("playwright.sync_api")


def test_sign_in_drill_down_find_a_project_and_switch_language(server, page):
    expect = sync_api.expect
    page.goto(f"{server}/inloggen")
    page.keyboard.press("Tab")  # the first stop is the skip link (keyboard users)
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.get_by_label("Gebruikersnaam").fill("demo")
    page.get_by_label("Wachtwoord").fill("bouwregie-demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nederland")
    expect(page.get_by_text("Ingelogd als demo")).to_be_visible()
    drawn = "Chart.getChart(document.querySelector('canvas[data-chart=grafiek-jaren]')) !== undefined"
    # The heading can be there before the deferred chart script ran (a loaded machine): wait for the drawing, and
    # fail when it never comes.
    try:
        page.wait_for_function(drawn, timeout=15_000)
    except sync_api.TimeoutError:
        message = "the chart library did not draw the yearly chart (assets must be served locally)"
        raise AssertionError(message) from None
    page.screenshot(path=SCREENSHOTS / "1-dashboard-nederland.png", full_page=True)

    page.locator("table.br-children").get_by_role("link", name="Utrecht", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utrecht")
    expect(page.get_by_role("link", name="Provinciale versnellingstafel Utrecht")).to_be_visible()
    page.locator("table.br-children").get_by_role("link", name="Utrecht", exact=True).click()
    expect(page.get_by_role("navigation", name="Kruimelpad")).to_contain_text("Nederland")
    assert "/gebied/GM0344" in page.url
    page.screenshot(path=SCREENSHOTS / "2-dashboard-gemeente-utrecht.png", full_page=True)

    page.get_by_role("link", name="Projecten in dit gebied").click()
    expect(page.get_by_role("status")).to_contain_text("gevonden")
    page.get_by_label("Sorteer op").select_option("-woningen")
    page.get_by_role("button", name="Zoeken").click()
    page.locator("table.utrecht-table tbody a").first.click()
    expect(page.get_by_role("heading", name="Mijlpalen: gepland en werkelijk")).to_be_visible()
    expect(page.get_by_role("heading", name="Geschiedenis")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "3-project.png", full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Milestones: planned and actual")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.screenshot(path=SCREENSHOTS / "4-project-english.png", full_page=True)


def test_the_map_works_offline_and_leads_to_a_project(server, page):
    """PDOK is unreachable here (as on a machine without internet): the background stays empty with a note,
    the municipalities are coloured anyway, and a project point opens its page."""
    expect = sync_api.expect
    blocked = []
    page.route("https://service.pdok.nl/**", lambda route: (blocked.append(route.request.url), route.abort()))
    sign_in(page, server)
    page.goto(f"{server}/kaart?gebied=GM0344&metriek=betaalbaar")
    expect(page.locator("#kaart[data-ready=gemeenten]")).to_be_attached()
    expect(page.locator("#kaart-offline")).to_be_visible()
    assert blocked, "the page should try the PDOK background"
    assert page.locator("#kaart path.leaflet-interactive").count() >= 342  # every municipality drawn
    expect(page.locator("#kaart-legenda")).to_contain_text("Betaalbaar aandeel in de pijplijn")
    expect(page.locator("#kaart[data-project-count]")).to_be_attached()
    page.screenshot(path=SCREENSHOTS / "9-kaart-offline.png", full_page=True)
    count = int(page.locator("#kaart").get_attribute("data-project-count"))
    assert count > 0, "the demo projects in Utrecht have a location"
    page.evaluate(
        """() => { const map = document.querySelector('#kaart');
                   const marker = [...map.querySelectorAll('path.leaflet-interactive')]
                       .find(p => p.getAttribute('stroke') === '#8b0000');
                   marker.dispatchEvent(new MouseEvent('click', {bubbles: true})); }"""
    )
    page.locator(".leaflet-popup-content a").click()
    expect(page.get_by_role("heading", name="Mijlpalen: gepland en werkelijk")).to_be_visible()


def test_a_forecast_with_a_scenario_as_a_fan_chart(server, page):
    """The forecast form starts a background task; the progress page forwards to the fan chart, which
    draws the base band, its median, the scenario's band and median, and the yearly agreement."""
    expect = sync_api.expect
    sign_in(page, server)
    page.goto(f"{server}/prognose")
    page.get_by_label("Aantal runs").select_option("1000")
    page.get_by_label("Parallel plannen").check()
    page.get_by_role("button", name="Prognose berekenen").click()
    expect(page.get_by_role("heading", name="Prognose Nederland vanaf peiling")).to_be_visible(timeout=60_000)
    expect(page.locator("canvas[data-fanchart][data-ready='7']")).to_be_attached()
    expect(page.get_by_role("heading", name="Scenario tegenover de basis (zelfde trekkingen)")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "10-prognose-waaier.png", full_page=True)


def test_alternatives_always_answer_in_the_browser(server, page):
    """Issue #17: alternatives for a municipality without an agreement of its own are answered on the page —
    from its woondeal when the demo has one for it, else by entering the shortfall — never with a command."""
    expect = sync_api.expect
    sign_in(page, server)
    page.goto(f"{server}/alternatieven")
    page.get_by_label("Gebied (provincie, gemeente of code)").fill("GM0344")
    page.get_by_label("Jaar", exact=True).fill("2029")
    page.get_by_role("button", name="Tonen").click()
    assert "bouwregie " not in page.content() and "--tekort" not in page.content()
    if page.get_by_role("heading", name="Tekort van Utrecht in 2029 opgeven").is_visible():
        page.get_by_label("Tekort in 2029 (woningen)").fill("veel")
        page.get_by_role("button", name="Alternatieven tonen").click()
        expect(page.get_by_role("alert")).to_contain_text("Het tekort moet een heel getal van 1 tot en met")
        field = page.get_by_label("Tekort in woningen (optioneel)")
        assert field.get_attribute("aria-invalid") == "true"
        field.fill("500")
        page.get_by_role("button", name="Tonen").click()
        expect(page.locator("li.br-card", has_text="tekort (opgegeven)")).to_contain_text("500")
    expect(page.get_by_role("table", name="Kandidaten, hoogste score eerst")).to_be_visible()
    assert "bouwregie " not in page.content()
    page.screenshot(path=SCREENSHOTS / "11-alternatieven.png", full_page=True)


def _card(page, label: str) -> int:
    value = page.locator("li.br-card", has_text=label).locator(".br-value").first.inner_text()
    return int(value.replace(".", "").replace("\u00a0", "").strip())


def test_upload_a_planlijst_confirm_close_the_peiling_and_see_the_new_figures(server, page, tmp_path):
    """The quarterly update end to end: the upload's preview and the confirmed import run as background jobs
    in the real server (threads, not inline), then the closed peiling shows the new project in the figures."""
    from .planlijsten import PROVINCIAL_HEADER, write_csv

    expect = sync_api.expect
    new_plan = ["E2E-1", "Nieuwe Stationswijk", "Utrecht", "Utrecht", "Uitleg", "1A Onherroepelijk", "4321", "0",
                "0", "0", "4321", "0", "0", "4321", "2000", "2321", "01-10-2026", "e2e"]  # fmt: skip
    planlijst = write_csv(tmp_path / "planlijst-utrecht.csv", PROVINCIAL_HEADER, [new_plan])
    sign_in(page, server)
    page.goto(f"{server}/gebied/GM0344")
    projects_before, homes_before = _card(page, "Projecten in de pijplijn"), _card(page, "Plancapaciteit (woningen)")

    page.get_by_role("link", name="Planlijsten").click()
    page.get_by_label("Bestand").set_input_files(planlijst)
    page.get_by_label("Bron").fill("Provincie Utrecht (e2e)")
    page.get_by_label("Peiling").fill("2026-Q4")
    page.screenshot(path=SCREENSHOTS / "5-planlijst-uploaden.png", full_page=True)
    page.get_by_role("button", name="Uploaden en controleren").click()
    expect(page.get_by_text("Voorbeeld: dit zou de import veranderen. Er is nog niets opgeslagen.")).to_be_visible()
    expect(page.get_by_text("1 nieuw project")).to_be_visible()
    expect(page.get_by_text("Nieuwe Stationswijk")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "6-planlijst-voorbeeld.png", full_page=True)
    page.get_by_role("button", name="Bevestigen en opslaan").click()
    expect(page.get_by_text("Opgeslagen: de projecten hieronder hebben een nieuwe versie.")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "7-planlijst-opgeslagen.png", full_page=True)

    page.get_by_role("link", name="Peilingen").click()
    page.get_by_label("Peiling", exact=True).select_option("2026-Q4")
    page.get_by_label("Ik begrijp dat sluiten onomkeerbaar is").check()
    if date.today() <= date(2026, 12, 31):  # 2026-Q4 still runs: a warning, and an explicit confirmation (issue #19)
        expect(page.get_by_role("status").filter(has_text="loopt nog tot en met 31-12-2026")).to_be_visible()
        page.get_by_label("Ik wil een peiling sluiten waarvan het kwartaal nog loopt.").check()
    page.get_by_role("button", name="Peiling sluiten").click()
    expect(page.get_by_role("status").filter(has_text="Peiling 2026-Q4 is gesloten")).to_be_visible()
    page.goto(f"{server}/gebied/GM0344")
    expect(page.get_by_label("Peiling", exact=True)).to_have_value("2026-Q4")
    assert _card(page, "Projecten in de pijplijn") == projects_before + 1
    assert _card(page, "Plancapaciteit (woningen)") == homes_before + 4321
    page.screenshot(path=SCREENSHOTS / "8-dashboard-na-de-update.png", full_page=True)
