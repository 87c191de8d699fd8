"""End to end in a real browser (issue #5): Debian's Chromium driven by Playwright against the real server
(`bouwregie serve`: gunicorn, whitenoise, the collected static files) on its own database, made with the
real commands (`bouwregie init`, `bouwregie demo`). Sign in, drill down from Nederland to a municipality,
find a project, read its milestones, switch to English. Screenshots of each step land in
test-artifacts/screenshots/.

The server's database is a SQLite file of its own in both test runs: the test database of pytest-django
lives in a transaction the server process cannot see, and the page code is the same on both backends
(the test-client tests of tests/test_web.py run on both)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {**os.environ, "BOUWREGIE_VAR_DIR": str(tmp_path_factory.mktemp("var"))}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "bouwregie"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*command, "demo", "--projects", "300", "--seed", "5"], env=env, check=True, capture_output=True)
    url = f"http://127.0.0.1:{_free_port()}"
    process = subprocess.Popen([*command, "serve", "--bind", url[7:], "--workers", "1"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/inloggen", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("bouwregie serve stopte: " + process.stderr.read().decode()[-2000:])
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} ontbreekt: installeer het Debian-pakket chromium (make test doet dat).")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        browser.close()


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
    assert page.evaluate(drawn), "the chart library did not draw the yearly chart (assets must be served locally)"
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
