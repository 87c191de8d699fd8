"""The SOK administration (issue #23, seed 001): hand-computed money and dates, the 2024 data with its € 20.000 gap
shown as unallocated, invoices with VAT, a refund that adds up to the cent, and who may read and book."""

import csv
import html
import io
import re
import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.accounts import tokens
from bouwregie.sok import rules, store
from bouwregie.sok.models import Activity, BudgetChange, Expenditure, Jaarplan

from .roles import SOK_WRITES, build_world, seat_user, sok_written


# --- pure rules --------------------------------------------------------------------------------------------------
def test_refund_by_hand():
    """€ 20.000,01 back over 75/50/40/70 (thousands): exact shares 638298,19 / 425532,13 / 340425,70 / 595744,98
    cents; the floors add up to 1.999.999, the two missing cents go to the largest remainders (ZH ,98 and FL ,70)."""
    shares = rules.refund(2_000_001, {"PV26": 75, "PV27": 50, "PV24": 40, "PV28": 70})
    assert shares == {"PV26": 638_298, "PV27": 425_532, "PV24": 340_426, "PV28": 595_745}
    assert sum(shares.values()) == 2_000_001


@settings(deadline=None)
@given(
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=8).filter(lambda w: sum(w) > 0),
    remainder=st.integers(0, 10**11),
)
def test_refund_adds_up_to_the_cent_and_stays_pro_rata(weights, remainder):
    named = {f"p{i}": w for i, w in enumerate(weights)}
    shares = rules.refund(remainder, named)
    assert sum(shares.values()) == remainder
    total = sum(weights)
    for key, weight in named.items():
        exact_floor = remainder * weight // total
        assert exact_floor <= shares[key] <= exact_floor + 1  # never more than a cent from the exact share
        if weight == 0:
            assert shares[key] == 0


def test_refund_refuses_what_cannot_be_split():
    with pytest.raises(ValueError):
        rules.refund(-1, {"a": 1})
    with pytest.raises(ValueError):
        rules.refund(100, {"a": 0})
    assert rules.refund(0, {"a": 0}) == {"a": 0}


def test_vat_and_dates_by_hand():
    assert rules.vat(7_500_000, Decimal("21")) == 1_575_000  # € 75.000 × 21% = € 15.750
    assert rules.vat(1, 21) == 0 and rules.vat(3, 21) == 1  # 0,21 cent down, 0,63 cent up (half-up)
    assert rules.talks_by(date(2024, 12, 31)) == date(2024, 9, 30)  # art. 7.1: three months before the end
    assert rules.earliest_end_after_notice(date(2024, 5, 31)) == date(2024, 8, 31)  # art. 7.2
    assert rules.account_due(2024) == date(2025, 3, 1)  # art. 6.5
    assert not rules.account_overdue(2024, None, date(2025, 3, 1))
    assert rules.account_overdue(2024, None, date(2025, 3, 2))
    assert rules.account_overdue(2024, date(2025, 3, 5), date(2025, 4, 1))
    assert not rules.account_overdue(2024, date(2025, 2, 20), date(2026, 1, 1))


def test_a_budget_change_stays_within_the_contributions():
    lines = {"Communicatie": 2_500_000, "Onvoorzien": 2_000_000}
    assert rules.check_change(lines, {"Onvoorzien": 2_000_000}, 6_500_000) == []
    assert rules.check_change(lines, {"Onvoorzien": 2_000_001}, 6_500_000)  # one cent over the contributions
    assert rules.check_change(lines, {"Communicatie": -2_500_001}, 6_500_000)  # below zero
    assert rules.check_change(lines, {"Nieuw": 1}, 6_500_000)  # unknown line


def sheet(content: bytes) -> list[list]:
    """The first sheet's rows as values, without the empty cells openpyxl pads a row with up to the widest row
    (the exports are sections of different widths)."""
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows()]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


# --- the 2024 data, end to end -------------------------------------------------------------------------------------
@pytest.fixture
def world(db):
    return build_world()  # loads sok-2024.toml


def test_2024_contributions_235000_lines_215000_and_the_gap_unallocated(world, client):
    o = store.year_overview(store.jaarplan_for(2024), today=date(2025, 1, 10))
    assert sum(p["amount_cents"] for p in o["parties"]) == 23_500_000  # 75 + 50 + 40 + 70 thousand
    assert sum(r["budget_cents"] for r in o["lines"]) == 21_500_000  # 25 + 20 + 90 + 50 + 10 + 20 thousand
    assert o["budget"]["unallocated_cents"] == 2_000_000 and o["budget"]["stated_total_mismatch"]
    assert o["in_kind_cents"] == 5_000_000 and o["fte"] == Decimal("0.8")  # art. 6.3 + 6.4; 4 × 0,2 fte
    assert o["agreement"]["talks_by"] == date(2024, 9, 30) and o["account"]["due"] == date(2025, 3, 1)
    client.force_login(world["users"]["provincie_utrecht"])
    page = client.get("/sok/2024").content.decode()
    assert '<td class="utrecht-table__cell br-number" id="niet-toegewezen"><strong>€ 20.000,00</strong>' in page
    assert 'id="toegewezen">€ 215.000,00' in page and 'id="bijdragen">€ 235.000,00' in page
    assert "Het jaarplan noemt als totaal € 235.000,00, maar de posten tellen op tot € 215.000,00" in page
    assert "verantwoording-te-laat" in page  # today is after 1 March 2025 and nothing was sent
    assert "Uitgave boeken" not in page  # Utrecht reads; the penvoerder (Noord-Holland) books


def test_exports_for_the_two_meetings_show_the_gap(world, client):
    client.force_login(world["users"]["beheerder"])
    body = client.get("/sok/2024?vergadering=begroting&formaat=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert ["Niet toegewezen aan een post", "", "20000", "bijdragen min begrotingsposten"] in rows
    assert ["Totaal bijdragen", "", "235000", ""] in rows
    cells = sheet(client.get("/sok/2024?vergadering=jaarafsluiting&formaat=xlsx").content)
    assert cells[0][0] == "Onderdeel" and ["Restant bijdragen (art. 6.6)", None, 235000, 0, 235000] in cells


def test_invoices_add_vat_and_a_refund_adds_up(world, client):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}", "content_type": "application/json"}
    made = client.post("/api/v1/sok/years/2024/invoices", {"issued_on": "2024-02-01"}, **headers).json()["invoices"]
    assert {i["number"]: (i["net_cents"], i["vat_cents"], i["total_cents"]) for i in made} == {
        "SOK-2024-PV24": (4_000_000, 840_000, 4_840_000),  # Flevoland € 40.000 + 21%
        "SOK-2024-PV26": (7_500_000, 1_575_000, 9_075_000),  # Utrecht
        "SOK-2024-PV28": (7_000_000, 1_470_000, 8_470_000),  # Zuid-Holland; the penvoerder does not invoice itself
    }
    assert made[0]["vat_version"] == "btw 2012-10"
    spend = {"line": "Kwartiermaker", "amount_cents": 21_499_999, "spent_on": "2024-11-30", "description": "Inhuur"}
    assert client.post("/api/v1/sok/years/2024/expenditures", spend, **headers).status_code == 201
    o = client.get("/api/v1/sok/years/2024", HTTP_AUTHORIZATION=headers["HTTP_AUTHORIZATION"]).json()
    assert o["budget"]["remainder_cents"] == 2_000_001  # € 235.000 − € 214.999,99
    assert {p["province"]: p["refund_cents"] for p in o["parties"]} == {
        "PV24": 340_426,
        "PV27": 425_532,
        "PV26": 638_298,
        "PV28": 595_745,
    }
    assert o["budget"]["overspent_lines"] == ["Kwartiermaker"]  # 214.999,99 on a line of 90.000


def test_only_the_penvoerder_books_and_a_refused_booking_writes_nothing(world, client):
    def post(role, body):
        return client.post(
            "/api/v1/sok/years/2024/expenditures",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world['keys'][role]}",
        )

    body = {"line": "Communicatie", "amount_cents": 100, "spent_on": "2024-03-01", "description": "Drukwerk"}
    assert {r: post(r, body).status_code for r in ("provincie_utrecht", "rijk", "gemeente_utrecht")} == dict.fromkeys(
        ("provincie_utrecht", "rijk", "gemeente_utrecht"), 403
    )
    refused = post("beheerder", {**body, "line": "Catering"})
    assert refused.status_code == 400 and "Catering" in refused.json()["detail"]
    assert post("beheerder", {**body, "spent_on": "2025-01-02"}).status_code == 400  # not in 2024
    assert Expenditure.objects.count() == 0


def test_budget_change_by_decision_within_the_contributions(world):
    store.change_budget(2024, {"Onvoorzien": 2_000_000}, date(2024, 11, 20), "Processtuurgroep 20-11-2024", "nh")
    o = store.year_overview(store.jaarplan_for(2024))
    assert o["budget"]["unallocated_cents"] == 0 and o["lines"][-1]["budget_cents"] == 4_000_000
    with pytest.raises(store.SokError, match="hoger worden dan de bijdragen"):
        store.change_budget(2024, {"Communicatie": 1}, date(2024, 11, 21), "te veel", "nh")


def test_loading_is_all_or_nothing(world, tmp_path):
    with pytest.raises(CommandError, match="al geladen"):
        call_command("sok", "load-2024")
    bad = tmp_path / "sok-2025.toml"
    text = store.SEED_2024.read_text(encoding="utf-8").replace("jaar = 2024", "jaar = 2025")
    bad.write_text(
        text.replace('provincie = "PV28"\nbedrag_cent = 7000000', 'provincie = "PV99"\nbedrag_cent = 1'),
        encoding="utf-8",
    )
    with pytest.raises(store.SokError, match="PV99"):
        store.load(bad)
    assert list(Jaarplan.objects.values_list("year", flat=True)) == [2024]


def test_the_command_line_end_to_end(world, tmp_path, capsys):
    """Through the management command (in this process: cli.main would close the test's database connection)."""

    def main(argv):
        call_command(*argv)

    main(
        [
            "sok",
            "uitgave",
            "2024",
            "--post",
            "Secretariaat",
            "--bedrag",
            "12.345,67",
            "--datum",
            "2024-04-02",
            "--omschrijving",
            "Notulist",
        ]
    )
    main(
        [
            "sok",
            "wijziging",
            "2024",
            "--post",
            "Onvoorzien=-5.000",
            "--post",
            "Onderzoeken=5.000",
            "--besluit",
            "Processtuurgroep november",
            "--datum",
            "2024-11-20",
        ]
    )
    main(["sok", "facturen", "2024", "--datum", "2024-02-01"])
    assert "SOK-2024-PV26: € 75.000,00 + btw € 15.750,00 = € 90.750,00" in capsys.readouterr().out
    main(["sok", "export", "2024", "jaarafsluiting", "--format", "xlsx", "-o", str(tmp_path / "a.xlsx")])
    rows = sheet((tmp_path / "a.xlsx").read_bytes())
    assert ["Begrotingspost", "Secretariaat", 50000, Decimal("12345.67"), Decimal("37654.33")] in [
        [Decimal(str(v)) if isinstance(v, float) else v for v in r] for r in rows
    ]
    o = store.year_overview(store.jaarplan_for(2024))
    assert [r["budget_cents"] for r in o["lines"]][-2:] == [
        1_500_000,
        1_500_000,
    ]  # Onderzoeken +5.000, Onvoorzien −5.000
    with pytest.raises(CommandError, match="hele centen"):
        main(
            [
                "sok",
                "uitgave",
                "2024",
                "--post",
                "Secretariaat",
                "--bedrag",
                "1,001",
                "--datum",
                "2024-04-02",
                "--omschrijving",
                "x",
            ]
        )


def test_account_and_change_rules_by_hand():
    """Issue #23, art. 6.5: the account is sent after the year (from 1 January) and not in the future; a change is
    decided in the year (or after it, before the account); an empty change or one below what was spent is refused."""
    today = date(2025, 4, 1)
    assert rules.check_account_date(2024, date(2025, 1, 1), today) == []
    assert rules.check_account_date(2024, date(2025, 3, 31), today) == []  # late (after 1 March) but allowed
    assert "op of na 2025-01-01" in rules.check_account_date(2024, date(2024, 12, 31), today)[0]
    assert "toekomst" in rules.check_account_date(2024, date(2025, 4, 2), today)[0]
    assert rules.check_decision_date(2024, date(2024, 1, 1), today) == []
    assert rules.check_decision_date(2024, date(2025, 2, 1), today) == []
    assert rules.check_decision_date(2024, date(2023, 12, 31), today) and rules.check_decision_date(
        2024, date(2025, 4, 2), today
    )
    lines, spent = {"A": 1_000, "B": 500}, {"A": 800}
    assert rules.check_change(lines, {"A": -200, "B": 200}, 2_000, spent) == []  # exactly down to what was spent
    (error,) = rules.check_change(lines, {"A": -201, "B": 201}, 2_000, spent)
    assert "'A' zou € 7,99 worden" in error and "(€ 8,00)" in error
    for empty in ({}, {"A": 0, "B": 0}):
        assert rules.check_change(lines, empty, 2_000, spent) == [
            "Geen wijziging: geef voor minstens één post een bedrag anders dan nul."
        ]


def test_the_account_closes_the_year_everywhere(world, client):
    """Issue #23: once the account over 2024 is recorded nothing more is booked on 2024: API 409 problem+json,
    a web message, a CLI error; a refused booking writes nothing."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}", "content_type": "application/json"}
    url = "/api/v1/sok/years/2024/"
    spend = {"line": "Communicatie", "amount_cents": 100, "spent_on": "2024-03-01", "description": "Drukwerk"}
    assert client.post(url + "expenditures", spend, **headers).status_code == 201
    store.change_budget(2024, {"Communicatie": -100, "Onvoorzien": 100}, date(2024, 5, 1), "PSG", "nh")
    with pytest.raises(store.SokError, match="minder dan er al aan is uitgegeven"):  # 100 spent on the line
        # Communicatie € 25.000 − € 1 = 2_499_900 cent; leaving 99 cent is below the 100 spent
        store.change_budget(2024, {"Communicatie": -2_499_801, "Onvoorzien": 1}, date(2024, 5, 2), "x", "y")
    early = client.post(url + "annual-accounts", {"sent_on": "2024-12-31"}, **headers)
    assert early.status_code == 400 and "2025-01-01" in early.json()["detail"]
    assert client.post(url + "annual-accounts", {"sent_on": "2025-02-20"}, **headers).status_code == 201
    for path, body in (
        ("expenditures", spend),
        ("budget-changes", {"deltas_cents": {"Onvoorzien": 1}, "decided_on": "2024-12-01", "decision": "PSG"}),
        ("annual-accounts", {"sent_on": "2025-02-21"}),
    ):
        refused = client.post(url + path, body, **headers)
        assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json", path
        assert "2024 is afgesloten" in refused.json()["detail"]
    client.force_login(world["users"]["beheerder"])
    form = {"actie": "uitgave", "post": "Communicatie", "bedrag": "10,00", "datum": "2024-06-01", "omschrijving": "x"}
    page = client.post("/sok/2024", form)
    assert page.status_code == 400 and "2024 is afgesloten" in page.content.decode()
    with pytest.raises(CommandError, match="2024 is afgesloten"):
        call_command("sok", "verantwoording", "2024", "--datum", "2025-02-25")
    assert Expenditure.objects.count() == 1 and store.jaarplan_for(2024).annualaccount_set.count() == 1


# --- issue #23, review: activities, the budget-change form, export details, the loader's check, writes -------------
SEED_001 = Path(__file__).parent / "data" / "seeds" / "001-sok-ctb-2024.txt"


def seed_001_pages() -> dict[int, str]:
    """The seed's text per page, pages counted like the data file says (a line starting with one space, then
    text, opens a page), independently of the file; whitespace made single, a word split at a line-end hyphen
    joined again (as the file's quotes are written)."""
    pages: dict[int, str] = {}
    page = 0
    for line in SEED_001.read_text(encoding="utf-8").splitlines():
        if re.match(r"^ \S", line):
            page += 1
        pages[page] = pages.get(page, "") + " " + line
    return {n: _flat(text) for n, text in pages.items()}


def _flat(text: str) -> str:
    return re.sub(r"(\w)- (?=[a-z])", r"\1-", " ".join(text.replace("•", " ").split()))


def test_the_activities_file_is_the_seeds_jaarplannen_with_their_pages():
    """Seed 001, Bijlage 1 (Jaarplan 2023) has activities 1–5, Bijlage 2 (Jaarplan 2024) 1–7; each heading is on
    the page the file gives, and every quoted sentence is on that page or the next: nothing invented."""
    shipped = tomllib.loads(store.ACTIVITIES.read_text(encoding="utf-8"))
    pages = seed_001_pages()
    assert {y["jaar"]: [a["nummer"] for a in y["activiteit"]] for y in shipped["jaar"]} == {
        2023: [1, 2, 3, 4, 5],
        2024: [1, 2, 3, 4, 5, 6, 7],
    }
    for y in shipped["jaar"]:
        for a in y["activiteit"]:
            where = (y["jaar"], a["nummer"])
            assert _flat(f"{a['nummer']}. {a['titel']}") in pages[a["pagina"]], where
            for quote in a["omschrijving"].split(" … "):
                assert _flat(quote) in pages[a["pagina"]] + " " + pages[a["pagina"] + 1], (where, quote)
    assert shipped["overeenkomst"] == tomllib.loads(store.SEED_2024.read_text(encoding="utf-8"))["naam"]


def test_activities_are_stored_per_year_shown_on_the_page_and_in_the_jaarplan_export(world, client):
    assert list(Activity.objects.filter(year=2024).values_list("number", "page")) == [
        (1, 17), (2, 18), (3, 19), (4, 19), (5, 19), (6, 19), (7, 20)
    ]  # fmt: skip
    assert Activity.objects.filter(year=2023).count() == 5  # Bijlage 1: stored, no administration of its own
    with pytest.raises(store.SokError, match="2023 zijn al geladen"):
        store.load_activities()
    assert Activity.objects.count() == 12
    client.force_login(world["users"]["provincie_utrecht"])
    page = html.unescape(client.get("/sok/2024").content.decode())
    table = page[page.index('id="activiteiten"') :]
    assert "7. Organiseren van een CTB congres" in table and "vijf thema’s en waarschijnlijk acht indicatoren" in table
    assert "Activiteiten van het Jaarplan 2023 Platform Toekomstbestendig Bouwen, 16 februari 2023" in page
    body = client.get("/sok/2024?vergadering=begroting&formaat=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert ["Nummer", "Activiteit", "Wat het jaarplan erover zegt", "Bron"] in rows
    (congres,) = [r for r in rows if r[:2] == ["7", "Organiseren van een CTB congres"]]
    assert congres[2].startswith("In 2024 organiseren we een congres") and congres[3].endswith("Activiteiten, p. 20")
    first_of_2023 = "Het beantwoorden van vragen en aanmeldingen, website bijhouden, communicatie omtrent het convenant"
    assert not [r for r in rows if r[:2] == ["1", first_of_2023]]  # 2023's activities are not in 2024's export


def test_loading_activities_is_all_or_nothing(world, tmp_path):
    text = (
        store.ACTIVITIES.read_text(encoding="utf-8")
        .replace("jaar = 2024", "jaar = 2025")
        .replace("nummer = 7\ntitel", "nummer = 7\npagina_fout = 1\ntitel")
    )
    bad = tmp_path / "activiteiten.toml"
    bad.write_text(text.replace("jaar = 2023", "jaar = 2022").replace("pagina = 20", "pagina = 0"), encoding="utf-8")
    with pytest.raises(store.SokError, match="activiteit 7: 'pagina' = '0' is geen geheel getal vanaf 1"):
        store.load_activities(bad)
    assert Activity.objects.filter(year__in=(2022, 2025)).count() == 0  # 2022 and 2025's first six: not written


def change_form(**fields) -> dict:
    return {"actie": "wijziging", "besluitdatum": "2024-11-20", "besluit": "PSG 20-11-2024, besluit 3", **fields}


def test_the_budget_change_form_records_the_processtuurgroep_decision(world, client):
    """Lines by position: 0 Communicatie, 1 Evenement CTB, 2 Kwartiermaker, 3 Secretariaat, 4 Onderzoeken,
    5 Onvoorzien. € 5.000 from Onvoorzien to Evenement CTB, and the € 20.000 unallocated to Onderzoeken."""
    client.force_login(world["users"]["beheerder"])
    form = change_form(reden="Congres groter", **{"wijziging-1": "5.000", "wijziging-5": "-5.000,00"})
    assert client.post("/sok/2024", {**form, "wijziging-4": "20.000", "wijziging-0": ""}).status_code == 302
    changes = list(BudgetChange.objects.values_list("line__name", "delta_cents", "decision", "reason", "decided_on"))
    assert changes == [
        ("Evenement CTB", 500_000, "PSG 20-11-2024, besluit 3", "Congres groter", date(2024, 11, 20)),
        ("Onderzoeken", 2_000_000, "PSG 20-11-2024, besluit 3", "Congres groter", date(2024, 11, 20)),
        ("Onvoorzien", -500_000, "PSG 20-11-2024, besluit 3", "Congres groter", date(2024, 11, 20)),
    ]
    o = store.year_overview(store.jaarplan_for(2024))
    assert o["budget"]["unallocated_cents"] == 0 and [r["budget_cents"] for r in o["lines"]] == [
        2_500_000, 2_500_000, 9_000_000, 5_000_000, 3_000_000, 1_500_000
    ]  # fmt: skip
    page = client.get("/sok/2024").content.decode()
    assert "PSG 20-11-2024, besluit 3: Congres groter" in page and 'id="begrotingswijziging"' in page


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"wijziging-1": "1.000", "wijziging-0": "12.34"}, "post 'Communicatie': '12.34' is dubbelzinnig"),
        ({"wijziging-2": "tien"}, "Wijziging voor post 'Kwartiermaker': 'tien' is geen bedrag in euro's"),
        ({"besluitdatum": "20-11-2024", "wijziging-1": "1"}, "Besluitdatum: '20-11-2024' is geen geldige datum"),
        ({"besluitdatum": "2023-12-31", "wijziging-1": "1"}, "De besluitdatum 2023-12-31 ligt niet in 2024"),
        ({"besluit": " ", "wijziging-1": "1"}, "Noem het besluit van de Processtuurgroep"),
        ({"wijziging-5": "20.000,01"}, "(€ 235.000,01) zou hoger worden dan de bijdragen (€ 235.000,00)"),
        ({"wijziging-0": "", "wijziging-3": "0"}, "Geen wijziging: geef voor minstens één post een bedrag"),
        (
            {"wijziging-0": "-24.999,01"},
            "Post 'Communicatie' zou € 0,99 worden, minder dan er al aan is uitgegeven (€ 1,00)",
        ),
        ({"wijziging-0": "-25.000,01"}, "Post 'Communicatie' zou negatief worden (-€ 0,01)"),
    ],
)
def test_a_refused_budget_change_form_says_why_in_dutch_and_writes_nothing(world, client, fields, message):
    store.book_expenditure(2024, "Communicatie", 100, date(2024, 3, 1), "Drukwerk", "nh")  # € 1 spent
    client.force_login(world["users"]["beheerder"])
    response = client.post("/sok/2024", change_form(**fields))
    page = html.unescape(response.content.decode())
    assert response.status_code == 400 and message in page and "Er is niets opgeslagen." in page
    assert BudgetChange.objects.count() == 0
    assert f'value="{fields.get("besluitdatum", "2024-11-20")}"' in page  # the form keeps what was typed


def test_the_budget_change_form_is_refused_once_the_year_is_closed(world, client):
    store.record_account(2024, date(2025, 2, 20), "nh")
    client.force_login(world["users"]["beheerder"])
    response = client.post("/sok/2024", change_form(**{"wijziging-1": "1"}))
    assert response.status_code == 400 and "2024 is afgesloten" in response.content.decode()
    assert BudgetChange.objects.count() == 0


def test_the_meeting_exports_carry_decisions_invoices_split_and_the_penvoerder(world, client):
    store.issue_invoices(2024, date(2024, 2, 1), "nh", due_on=date(2024, 3, 2))
    store.change_budget(
        2024, {"Onvoorzien": -100_000, "Onderzoeken": 100_000}, date(2024, 11, 20), "=HYPERLINK(\"x\")", "nh",
        reason="@SUM(1)",
    )  # fmt: skip
    client.force_login(world["users"]["beheerder"])
    for meeting in ("begroting", "jaarafsluiting"):
        body = client.get(f"/sok/2024?vergadering={meeting}&formaat=csv").content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert rows[1][:2] == ["Penvoerder", "Provincie Noord-Holland"], meeting
        assert ["SOK-2024-PV26", "Provincie Utrecht", "2024-02-01", "2024-03-02", "75000", "21.00", "15750", "90750",
                "btw 2012-10"] in rows, meeting  # fmt: skip
        # € 40.000 + € 75.000 + € 70.000 = € 185.000 net; 21%: € 38.850 VAT; € 223.850 gross
        assert ["Totaal", "", "", "", "185000", "", "38850", "223850", ""] in rows, meeting
        assert ["2024-11-20", '\'=HYPERLINK("x")', "Onderzoeken", "1000", "'@SUM(1)", "nh"] in rows, meeting
        assert ["2024-11-20", '\'=HYPERLINK("x")', "Onvoorzien", "-1000", "'@SUM(1)", "nh"] in rows, meeting
        content = client.get(f"/sok/2024?vergadering={meeting}&formaat=xlsx").content
        book = openpyxl.load_workbook(io.BytesIO(content))
        assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row), meeting  # values only
        cells = sheet(content)
        assert [
            "SOK-2024-PV28",
            "Provincie Zuid-Holland",
            datetime(2024, 2, 1),
            datetime(2024, 3, 2),
            70000,
            21,
            14700,
            84700,
            "btw 2012-10",
        ] in cells, meeting
        assert [datetime(2024, 11, 20), '\'=HYPERLINK("x")', "Onvoorzien", -1000, "'@SUM(1)", "nh"] in cells
    assert ["Verantwoording uiterlijk (art. 6.5)", datetime(2025, 3, 1)] in cells  # the jaarafsluiting's
    with pytest.raises(store.SokError, match="Vervaldatum 2024-01-31 ligt vóór de factuurdatum 2024-02-01"):
        store.issue_invoices(2024, date(2024, 2, 1), "nh", due_on=date(2024, 1, 31))


def test_the_loader_says_when_the_lines_exceed_the_contributions(world, client, tmp_path):
    """A 2025 file whose Kwartiermaker line is € 120.000: lines € 245.000 against contributions € 235.000, € 10.000
    over — loaded as written, said on the command line and on the page. 2024 (€ 215.000 of € 235.000) says nothing
    and keeps its € 20.000 unallocated."""
    o = store.year_overview(store.jaarplan_for(2024))
    assert o["warnings"] == [] and o["budget"]["unallocated_cents"] == 2_000_000
    over = tmp_path / "sok-2025.toml"
    text = store.SEED_2024.read_text(encoding="utf-8").replace("jaar = 2024", "jaar = 2025")
    over.write_text(text.replace("bedrag_cent = 9000000", "bedrag_cent = 12000000"), encoding="utf-8")
    err = io.StringIO()
    call_command("sok", "load", str(over), stderr=err)
    warning = (
        "De begrotingsposten tellen op tot € 245.000,00, meer dan de bijdragen (€ 235.000,00): € 10.000,00 is "
        "begroot zonder bijdrage ertegenover"
    )
    assert warning in err.getvalue()
    client.force_login(world["users"]["provincie_utrecht"])
    page = html.unescape(client.get("/sok/2025").content.decode())
    assert 'id="begroting-boven-bijdragen"' in page and warning in page
    assert 'id="niet-toegewezen"><strong>-€ 10.000,00' in page
    assert 'id="begroting-boven-bijdragen"' not in client.get("/sok/2024").content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/sok/2025?vergadering=begroting&formaat=csv").content.decode(
        "utf-8-sig")), delimiter=";"))  # fmt: skip
    assert any(r[0] == "Waarschuwing" and warning in r[1] for r in rows)


@pytest.mark.parametrize("role, may", [("bewerker", True), ("tafelbeheerder", True), ("lezer", False)])
def test_the_penvoerders_editors_write_everywhere_and_its_readers_nowhere(world, client, role, may):
    """Seed 001, art. 5 (Noord-Holland keeps the administration; accounts.policy.can_edit_sok): a Noord-Holland
    editor writes through every SOK form and endpoint; a Noord-Holland lezer reads but every write is refused with
    nothing written."""
    user = seat_user(f"nh_{role}", "Provincie Noord-Holland", "provincie", "PV27", None, role)
    key = tokens.issue(user, "test")
    client.force_login(user)
    assert client.get("/sok/2024").status_code == 200
    for path, _body, form in SOK_WRITES:
        before = sok_written()
        response = client.post("/sok/2024", form)
        assert response.status_code == (302 if may else 403), (path, role)
        assert (sok_written() != before) is may, (path, role)
    assert client.get("/api/v1/sok/years/2024", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "content_type": "application/json"}
    for path, body, _form in SOK_WRITES[:3]:  # the year is closed by the form's account above (if written)
        before = sok_written()
        response = client.post(f"/api/v1/sok/years/2024/{path}", body, **headers)
        # past the permission check: the year is closed (409); invoices: every party invoiced already (409, #23)
        assert response.status_code == (409 if may else 403), (path, role)
        assert sok_written() == before


# --- issue #23, the reviewer's defects ----------------------------------------------------------------------------
def test_messages_give_amounts_in_euros_in_the_language_of_the_moment():
    """Not "(-1000000 cent)": € 20.000 on Onvoorzien minus € 25.000 is -€ 5.000,00; the 2024 lines (€ 215.000)
    plus € 30.000 are € 245.000, above the contributions (€ 235.000). English groups with commas."""
    from django.utils import translation

    lines = {"Onvoorzien": 2_000_000, "Communicatie": 21_500_000 - 2_000_000}
    with translation.override("nl"):
        (negative,) = rules.check_change(lines, {"Onvoorzien": -2_500_000}, 23_500_000)
        (over,) = rules.check_change(lines, {"Communicatie": 3_000_000}, 23_500_000)
    assert negative == "Post 'Onvoorzien' zou negatief worden (-€ 5.000,00)."
    assert over.startswith("De begroting (€ 245.000,00) zou hoger worden dan de bijdragen (€ 235.000,00)")
    with translation.override("en"):
        assert rules.overspend_warnings("A", 100_000, 7_800_000) == [
            _en(
                "Post '%(name)s' is overschreden: uitgegeven %(spent)s, begroot %(budget)s (%(over)s meer dan begroot)."
            )
            % {"name": "A", "spent": "€ 78,000.00", "budget": "€ 1,000.00", "over": "€ 77,000.00"}
        ]
    assert "cent" not in negative + over


def _en(msgid: str) -> str:
    from django.utils.translation import gettext

    return gettext(msgid)


def test_invoicing_twice_is_refused_everywhere_and_writes_nothing(world, client):
    """Issue #23: a second run of the invoices said nothing and succeeded. Now: CommandError (exit 1), API 409,
    the page an error — naming the invoices that exist; nothing new written."""
    call_command("sok", "facturen", "2024", "--datum", "2024-02-01")
    before = sok_written()
    with pytest.raises(
        CommandError, match="De facturen van 2024 bestaan al: SOK-2024-PV24, SOK-2024-PV26, SOK-2024-PV28"
    ):
        call_command("sok", "facturen", "2024", "--datum", "2024-02-02")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}", "content_type": "application/json"}
    response = client.post("/api/v1/sok/years/2024/invoices", {"issued_on": "2024-02-02"}, **headers)
    assert response.status_code == 409 and "bestaan al" in response.json()["detail"]
    client.force_login(world["users"]["beheerder"])
    page = client.post("/sok/2024", {"actie": "facturen", "datum": "2024-02-02"})
    assert page.status_code == 400 and "De facturen van 2024 bestaan al" in page.content.decode()
    assert sok_written() == before


def test_a_booking_that_overspends_its_line_is_said_at_once(world, client, capsys):
    """Onderzoeken has € 10.000 (seed 001 Bijlage 2): € 10.000,00 exactly is no overspend, one cent more is —
    booked (the money was spent) and said on the command line, in the API answer and on the page."""
    call_command(
        "sok", "uitgave", "2024", "--post", "Onderzoeken", "--bedrag", "10.000,00", "--datum", "2024-05-01",
        "--omschrijving", "Onderzoek A",
    )  # fmt: skip
    assert "Let op" not in capsys.readouterr().err
    call_command(
        "sok", "uitgave", "2024", "--post", "Onderzoeken", "--bedrag", "0,01", "--datum", "2024-05-02",
        "--omschrijving", "Onderzoek B",
    )  # fmt: skip
    err = capsys.readouterr().err
    assert "Post 'Onderzoeken' is overschreden: uitgegeven € 10.000,01, begroot € 10.000,00 (€ 0,01 meer" in err
    headers = {"HTTP_AUTHORIZATION": f"Bearer {world['keys']['beheerder']}", "content_type": "application/json"}
    body = {"line": "Onderzoeken", "amount_cents": 99, "spent_on": "2024-05-03", "description": "Onderzoek C"}
    answer = client.post("/api/v1/sok/years/2024/expenditures", body, **headers).json()
    assert answer["warnings"] == [
        "Post 'Onderzoeken' is overschreden: uitgegeven € 10.001,00, begroot € 10.000,00 (€ 1,00 meer dan begroot)."
    ]
    body = {**body, "line": "Communicatie"}
    assert client.post("/api/v1/sok/years/2024/expenditures", body, **headers).json()["warnings"] == []
    client.force_login(world["users"]["beheerder"])
    form = {"actie": "uitgave", "post": "Onderzoeken", "bedrag": "1,00", "datum": "2024-05-04", "omschrijving": "D"}
    page = html.unescape(client.post("/sok/2024", form, follow=True).content.decode())
    assert "Post 'Onderzoeken' is overschreden: uitgegeven € 10.002,00" in page
    assert Expenditure.objects.count() == 5


def test_a_change_with_a_plus_sign_and_the_plural_said_right(world, capsys):
    """`--post Communicatie=+30.000` was refused; a plus adds, as no sign does. "2 begrotingswijzigingen", not
    "2 begrotingswijziging(en)"; one is "1 begrotingswijziging"."""
    call_command(
        "sok", "wijziging", "2024", "--post", "Onvoorzien=-5.000", "--post", "Communicatie=+5.000",
        "--besluit", "PSG", "--datum", "2024-11-20",
    )  # fmt: skip
    assert "2 begrotingswijzigingen vastgelegd." in capsys.readouterr().out
    call_command(
        "sok", "wijziging", "2024", "--post", "Onderzoeken=+20.000", "--besluit", "PSG", "--datum", "2024-11-21"
    )
    assert "1 begrotingswijziging vastgelegd." in capsys.readouterr().out
    assert list(BudgetChange.objects.values_list("line__name", "delta_cents")) == [
        ("Onvoorzien", -500_000),
        ("Communicatie", 500_000),
        ("Onderzoeken", 2_000_000),
    ]


def test_the_plus_sign_on_the_change_form(world, client):
    client.force_login(world["users"]["beheerder"])
    assert client.post("/sok/2024", change_form(**{"wijziging-4": "+20.000"})).status_code == 302
    assert list(BudgetChange.objects.values_list("line__name", "delta_cents")) == [("Onderzoeken", 2_000_000)]


def test_the_sok_page_shows_cents_in_every_financial_cell(world, client):
    """The refund column mixed "€ 39.145" with "€ 20.877,33"; a negative change showed "-€ 5.000". Now always
    cents, the sign before the euro sign as everywhere in the project (instruments.money.euros)."""
    store.change_budget(2024, {"Onvoorzien": -500_000, "Communicatie": 500_000}, date(2024, 11, 20), "PSG", "nh")
    client.force_login(world["users"]["beheerder"])
    page = client.get("/sok/2024").content.decode()
    assert "(gewijzigd: -€ 5.000,00)" in page and "(gewijzigd: € 5.000,00)" in page
    assert re.search(r"€ \d{1,3}(\.\d{3})*<", page) is None  # no amount without its cents
    # nothing spent: Flevoland's refund is its whole contribution, € 40.000 (art. 6.6), in both columns with ,00
    assert page.count('br-number">€ 40.000,00</td>') >= 2


def test_sok_show_prints_a_table_and_json_on_request(world, capsys):
    call_command("sok", "show", "2024")
    out = capsys.readouterr().out
    assert not out.lstrip().startswith("{")
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("Begrotingspost"))
    kwartier = next(line for line in lines if line.startswith("Kwartiermaker"))
    assert kwartier.split()[1:3] == ["€", "90.000,00"] and len(kwartier) == len(header)  # right-aligned amounts
    assert "Niet toegewezen aan een post: € 20.000,00" in out
    call_command("sok", "show", "2024", "--json")
    assert '"contributions_cents": 23500000' in capsys.readouterr().out
