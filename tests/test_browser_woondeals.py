"""Issue #17 in a real browser: a province user enters a woondeal with three municipalities and its jaarschijven
through the form and lands on its page, which shows them and links to its progress. Same set-up as
tests/test_browser.py (Debian's Chromium, Playwright, `bouwregie serve` on a demo database of its own); the demo
has no province editor, so one is made with the real `shell` command before the server starts."""

import pytest

from .browser import SCREENSHOTS, running_server, sign_in

pytestmark = pytest.mark.own_sqlite  # the server runs on a SQLite database of its own (tests/browser.py)
sync_api = pytest.importorskip("playwright.sync_api")

PROVINCE_USER, PASSWORD = "provincie_nh", "bouwregie-demo"
MAKE_PROVINCE_USER = f"""
from django.contrib.auth import get_user_model
from bouwregie.accounts.models import Membership, Organisation
user = get_user_model().objects.create_user({PROVINCE_USER!r}, password={PASSWORD!r})
province = Organisation.objects.get(kind="provincie", province_id="PV27")
Membership.objects.create(user=user, organisation=province, role="bewerker")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("var"), projects=100, setup=MAKE_PROVINCE_USER) as url:
        yield url


def test_a_province_enters_a_woondeal_with_three_municipalities_and_jaarschijven(server, page):
    expect = sync_api.expect
    sign_in(page, server, PROVINCE_USER, PASSWORD)
    expect(page.get_by_text(f"Ingelogd als {PROVINCE_USER}")).to_be_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Woondeals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Woondeals")
    page.get_by_role("link", name="Nieuwe woondeal").click()

    page.get_by_label("Code", exact=True).fill("WD-90")
    page.get_by_label("Naam", exact=True).fill("Woondeal Zaanstreek (test)")
    page.get_by_label("Provincies").select_option("PV27")
    page.get_by_label("Geldig vanaf").fill("2023-01-01")
    page.get_by_label("Bron (brondocument)").fill("Woondeal Zaanstreek, ondertekend 2023 (test)")
    for row, municipality in enumerate(("Zaanstad", "Oostzaan", "GM0880"), start=1):
        page.get_by_label(f"Gemeente {row}", exact=True).fill(municipality)
    page.get_by_label("Taakstelling 2022–2030 (totaal)").fill("1800")
    for year in range(2022, 2031):
        page.get_by_label(f"Jaarschijf {year}").fill("200")
    page.get_by_label("Ondertekenaar 1, naam").fill("Parteon")
    page.get_by_label("Reden van de wijziging").fill("Woondeal ondertekend")
    page.screenshot(path=SCREENSHOTS / "12-woondeal-invoeren.png", full_page=True)
    page.get_by_role("button", name="Opslaan als nieuwe versie").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Woondeal Zaanstreek (test)")
    expect(page.get_by_role("status").filter(has_text="Opgeslagen als versie 1.")).to_be_visible()
    members = page.get_by_role("table", name="Leden van de woondeal")
    for name in ("Zaanstad", "Oostzaan", "Wormerland"):
        expect(members).to_contain_text(name)
    expect(page.get_by_role("table", name="Jaarschijven 2022–2030")).to_contain_text("1.800")
    assert "/woondeals/WD-90" in page.url
    expect(page.get_by_role("link", name="Voortgang tegenover de afspraken")).to_have_attribute(
        "href", "/woondeals/WD-90/voortgang"
    )
    page.screenshot(path=SCREENSHOTS / "13-woondeal-opgeslagen.png", full_page=True)

    # ... and sees its progress against the jaarschijven and per member municipality (the browser check)
    page.get_by_role("link", name="Voortgang tegenover de afspraken").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Woondeal Zaanstreek (test)")
    years = page.get_by_role("table", name="Jaarschijven, gerealiseerd en gepland")
    for year in ("2022", "2030"):
        expect(years).to_contain_text(year)
    expect(years).to_contain_text("200")
    shares = page.get_by_role("table", name="Aandeel per gemeente naar de pijplijn (regel: monitor.shortfall)")
    for name in ("Zaanstad", "Oostzaan", "Wormerland"):
        expect(shares).to_contain_text(name)
    page.screenshot(path=SCREENSHOTS / "14-woondeal-voortgang.png", full_page=True)
