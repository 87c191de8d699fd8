"""The Woontop agreements tracker (issue #23, seed 004): the shipped file against the seed, statuses per quarter
with who set them (append-only), overdue milestones flagged, changes since the last quarter, the quarterly report's
summary, and who may set a status."""

import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bouwregie.accounts import tokens
from bouwregie.projects.models import AppendOnlyError
from bouwregie.woontop import report, rules, store
from bouwregie.woontop.models import Status

from .roles import build_world, seat_user

SEED = Path(__file__).parent / "data" / "seeds" / "004-woontop-2024-12-11.txt"  # seed 004 as shipped to us
NOT_PAGE_BREAKS = {2757, 2758, 2763}  # indented bullet lines on the page of Afspraak 19.3 (see the data file)


def seed_lines():
    """(page, line) for every line of the seed, pages counted independently of the data file."""
    page = 0
    for number, line in enumerate(SEED.read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(r"^ \S", line) and number not in NOT_PAGE_BREAKS:
            page += 1
        yield page, line


def seed_headings() -> dict[str, int]:
    """Every 'Afspraak N' / 'Afspraak N.M' heading of the seed with the page it starts on."""
    found = {}
    for page, line in seed_lines():
        heading = re.match(r"^\s*Afspraak (\d+(?:\.\d+)?)\s*[-–]", line)
        if heading:
            found.setdefault(heading[1], page)
    return found


def test_the_file_holds_every_afspraak_number_of_the_seed_with_its_page():
    shipped = tomllib.loads(store.SHIPPED.read_text(encoding="utf-8"))
    in_file = {a["nummer"]: a["pagina"] for a in shipped["afspraak"]}
    headings = seed_headings()
    assert in_file == headings
    assert set(in_file) >= {"1", "3", "4", "5", "19", "19.1", "19.4"} and not {"2", "6", "13", "14"} & set(in_file)


def test_the_milestones_the_issue_names_are_there_with_their_dates():
    shipped = {m["code"]: m for m in tomllib.loads(store.SHIPPED.read_text(encoding="utf-8"))["mijlpaal"]}
    assert shipped["3b-ppm-in-gebruik"]["deadline"] == date(2025, 7, 1)  # "vanaf 1 juli 2025 in gebruik"
    assert shipped["3b-rvo-advies-ppm"]["deadline"] == date(2025, 3, 31)  # "Eind Q1 2025 ... advies"
    assert shipped["4-shortlist-doorbraaklocaties"]["deadline"] == date(2025, 3, 31)  # "(Q1 2025)"
    assert shipped["19.1-keuze-realisatie-startbouw"]["deadline"] == date(
        2025, 3, 31
    )  # "Uiterlijk aan het eind van Q1"
    # each milestone's stated term is on the page it cites
    pages: dict[int, str] = {}
    for page, line in seed_lines():
        pages[page] = pages.get(page, "") + " " + line
    for code, m in shipped.items():
        words = re.findall(
            r"\d{4}|juli|juni|november|april|mei|januari|kwartaal|zomer|voorjaar|najaar|half jaar|helft|maanden"
            r"|Q1|begin|eind",
            m["termijn"],
            flags=re.IGNORECASE,
        )
        assert words and all(w.lower() in pages[m["pagina"]].lower() for w in words), code


def seed_pages() -> dict[int, str]:
    """Each page's text with runs of whitespace (line breaks) made one space."""
    pages: dict[int, str] = {}
    for page, line in seed_lines():
        pages[page] = pages.get(page, "") + " " + line
    return {page: " ".join(text.split()) for page, text in pages.items()}


# Read by hand from seed 004 (issue #23 review): (afspraak, page, deadline) of every dated milestone the seed names
# beyond the first set; the rule for a period is in the data file's header.
BY_HAND = [
    ("4", 7, date(2025, 6, 11)),  # "Stappenplan (eerste zes maanden)" after the Woontop of 11-12-2024
    ("5", 12, date(2025, 6, 11)),  # "de komende 6 maanden ... een kalibratieproces"
    ("15.1", 28, date(2025, 6, 11)),  # "Uitwerking in mijlpalen – eerste half jaar" (three items)
    ("4", 10, date(2030, 12, 31)),  # "het doel de bouw in 2030 te starten in de rest van de A12-zone"
    ("4", 10, date(2035, 12, 31)),  # "... en in 2035 in Rijnenburg"
    ("8", 17, date(2025, 6, 12)),  # "Binnen het eerste half jaar levert dat lessen op" (start 12-12-2024, p. 16)
    ("8", 17, date(2025, 12, 31)),  # "Eind 2025 leveren deze lessen input op"
    ("10.1", 19, date(2025, 12, 31)),  # "stellen in 2025 een warmteladder op"
    ("10.2", 21, date(2025, 6, 20)),  # "voor de zomer van 2025 concrete stappen te zetten"
    ("10.2", 21, date(2025, 12, 31)),  # "deze werkwijze in 2025 landelijk toe te gaan passen"
    ("10.2", 22, date(2025, 6, 20)),  # "bovenstaande voor de zomer te hebben gerealiseerd"
    ("11", 24, date(2025, 3, 31)),  # "Januari-februari-maart: schrap- en verbetersessies"
    ("11", 24, date(2025, 4, 30)),  # "April: afronding advies aan kabinet"
    ("11", 24, date(2025, 6, 20)),  # "Voorjaar: weging van en besluitvorming door het kabinet"
    ("11", 24, date(2025, 6, 30)),  # "Dag van de Volkshuisvesting (juni 2025)"
    ("12", 24, date(2025, 7, 1)),  # roadmap: drempels woningentree
    ("12", 24, date(2026, 1, 1)),  # roadmap: drempels buitenruimte, gebruiksfuncties
    ("12", 25, date(2026, 1, 1)),  # roadmap: ingebruiknamebesluit, bouwproducten, verplaatsen
    ("12", 25, date(2026, 5, 29)),  # roadmap: EPBD energielabels, laadinfrastructuur
    ("12", 26, date(2026, 5, 29)),  # roadmap: EPBD gebouwautomatisering, zonne-energie in ontwerp
    ("12", 26, date(2026, 7, 1)),  # roadmap: brandklasse gevels
    ("12", 26, date(2028, 1, 1)),  # roadmap: ZEB overheid, CO2 > 1000 m2
    ("12", 26, date(2030, 1, 1)),  # roadmap: ZEB en CO2 alle nieuwe gebouwen
    ("12", 26, date(2027, 12, 31)),  # "De datum waarop de grenswaarden gaan gelden wordt in 2027 bepaald"
    ("12", 26, date(2029, 1, 1)),  # roadmap: uitbreiding gevolgklassen Wkb
    ("12", 27, date(2029, 12, 31)),  # roadmap: zonne-energie verplicht, labelindeling
    ("15.2", 30, date(2025, 6, 30)),  # "in de eerste helft van 2025" (MRA, Limburg), Fast Lane Groene Metropoolregio
    ("15.2", 31, date(2025, 6, 30)),  # Fast Lane Rotterdam "in het eerste half jaar van 2025"
    ("15.2", 31, date(2025, 3, 31)),  # "In het eerste kwartaal van 2025 wordt een tweedaagse sessie"
    ("15.2", 32, date(2025, 3, 31)),  # "de CoP in Q1 daadwerkelijk van start"; "Begin 2025 ... bekrachtigd"
    ("16", 34, date(2025, 6, 20)),  # bouwstroom, So you think you can build, bouweisen, investeringen
    ("16", 34, date(2025, 3, 31)),  # "VWS stelt begin 2025 middelen beschikbaar"
    ("17", 36, date(2025, 12, 31)),  # "In 2025 zullen de gesprekken ... vervolgd worden"
    ("18", 41, date(2025, 3, 31)),  # "Begin 2025 werken we de financiële ondersteuning uit." (above Afspraak 19)
    ("19", 43, date(2025, 6, 20)),  # "Over de verdeling van de 2,5 miljard volgt dit Voorjaar besluitvorming."
    ("19", 43, date(2027, 12, 31)),  # "De herziening is voorzien in 2027."
    ("19.1", 44, date(2025, 12, 31)),  # "Het kabinet introduceert in 2025 een realisatiestimulans."
    ("19.1", 46, date(2025, 3, 31)),  # "In Q1 2025 ..." (twice) and "Uiterlijk aan het eind van Q1"
    *[("19.1", 46, date(year, 12, 31)) for year in range(2026, 2031)],  # "vierde kwartaal van de jaren 2026-2030"
    ("19.3", 49, date(2025, 9, 22)),  # "vanaf het najaar van 2025"
    ("19.3", 49, date(2034, 12, 31)),  # "De realisatie van de laatste woningen vindt uiterlijk plaats in 2034"
    ("19.4", 51, date(2025, 6, 20)),  # "bij Voorjaarsnota 2025"
    ("19.4", 51, date(2025, 12, 20)),  # "en BO MIRT's najaar 2025"
]


def test_every_dated_milestone_read_by_hand_from_the_seed_is_in_the_file():
    shipped = tomllib.loads(store.SHIPPED.read_text(encoding="utf-8"))["mijlpaal"]
    in_file = {(str(m["afspraak"]), m["pagina"], m["deadline"]) for m in shipped}
    assert [row for row in BY_HAND if row not in in_file] == []
    assert len(shipped) == 79 and len({m["code"] for m in shipped}) == 79


def test_every_milestone_quotes_the_seed_on_its_page():
    pages = seed_pages()
    for m in tomllib.loads(store.SHIPPED.read_text(encoding="utf-8"))["mijlpaal"]:
        assert m.get("citaat"), m["code"]
        assert " ".join(m["citaat"].split()) in pages[m["pagina"]], m["code"]


def test_pure_quarter_rules():
    assert rules.previous_quarter("2025-Q1") == "2024-Q4" and rules.quarter_last_day("2025-Q2") == date(2025, 6, 30)
    history = [("2025-Q1", "op_schema"), ("2025-Q2", "te_laat"), ("2025-Q1", "gereed")]
    assert rules.status_in(history, "2024-Q4") is None
    assert rules.status_in(history, "2025-Q1") == "gereed"  # the newest set for that quarter
    assert rules.status_in(history, "2025-Q3") == "te_laat"  # holds until changed
    assert rules.overdue(date(2025, 3, 31), "op_schema", date(2025, 4, 1))
    assert not rules.overdue(date(2025, 3, 31), "op_schema", date(2025, 3, 31))
    assert not rules.overdue(date(2025, 3, 31), "gereed", date(2026, 1, 1))
    with pytest.raises(ValueError):
        rules.parse_quarter("2025-Q5")


@pytest.fixture
def world(db):
    world = build_world()  # loads the shipped afspraken; its Rijk user is a lezer
    editor = seat_user("rijk_bewerker", "Ministerie BZK", "rijk", None, None, "bewerker")
    world["users"]["rijk_bewerker"], world["keys"]["rijk_bewerker"] = editor, tokens.issue(editor, "test")
    return world


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


def test_an_overdue_milestone_is_flagged_and_changes_are_listed(world, client):
    store.set_status("3b-rvo-advies-ppm", "2025-Q1", "op_schema", "", "rijk", now=at(2025, 2, 1))
    store.set_status("3b-ppm-in-gebruik", "2025-Q1", "op_schema", "", "rijk", now=at(2025, 2, 1))
    store.set_status(
        "3b-ppm-in-gebruik", "2025-Q2", "te_laat", "Systeem nog niet aanbesteed", "rijk", now=at(2025, 5, 1)
    )
    table = store.table("2025-Q2", today=date(2025, 4, 15))
    rows = {m["code"]: m for a in table["afspraken"] for m in a["milestones"]}
    assert rows["3b-rvo-advies-ppm"]["overdue"] and rows["3b-rvo-advies-ppm"]["status"] == "op_schema"
    assert not rows["3b-ppm-in-gebruik"]["overdue"]  # due 1 July 2025
    assert rows["3b-ppm-in-gebruik"]["set_by"] == "rijk" and rows["3b-ppm-in-gebruik"]["note"].startswith("Systeem")
    assert [(c["code"], c["previous"], c["status"]) for c in table["changes"]] == [
        ("3b-ppm-in-gebruik", "op_schema", "te_laat")
    ]
    store.set_status("3b-rvo-advies-ppm", "2025-Q2", "gereed", "Advies opgeleverd", "rijk", now=at(2025, 5, 2))
    summary = report.summary("2025-Q2")  # as of 30 June 2025
    overdue = {m["code"] for m in summary["overdue"]}
    assert "3b-rvo-advies-ppm" not in overdue and "4-shortlist-doorbraaklocaties" in overdue
    assert "3b-ppm-in-gebruik" not in overdue and summary["counts"]["gereed"] == 1
    page = client.get("/woontop?kwartaal=2025-Q2").content.decode()
    shortlist = page[page.index('id="4-shortlist-doorbraaklocaties"') :][:600]
    assert "br-overdue" in shortlist and "Afspraak 3, 3b-ppm-in-gebruik: op schema → te laat" in page
    row = page[page.index('id="3b-rvo-advies-ppm"') :][:900]
    assert "gereed" in row and "op_schema" not in page and "te_laat" not in page  # labels, not codes (issue #23)


def test_statuses_are_append_only_and_checked(world):
    s = store.set_status("16-wijkscan-vws", "2025-Q1", "gereed", "", "rijk")
    with pytest.raises(AppendOnlyError):
        s.save()
    with pytest.raises(AppendOnlyError):
        Status.objects.all().delete()
    with pytest.raises(store.WoontopError, match="Licht"):
        store.set_status("16-wijkscan-vws", "2025-Q2", "te_laat", "", "rijk")  # late needs a note
    with pytest.raises(store.WoontopError):
        store.set_status("bestaat-niet", "2025-Q2", "gereed", "", "rijk")
    assert Status.objects.count() == 1
    for quarter in ("2024-Q3", "2025-Q4"):  # before the Woontop (2024-Q4); after the current quarter + 1 (issue #23)
        with pytest.raises(store.WoontopError, match=f"Kwartaal {quarter} valt buiten 2024-Q4 .* 2025-Q3"):
            store.set_status("16-wijkscan-vws", quarter, "gereed", "", "rijk", now=at(2025, 5, 1))
    store.set_status("16-wijkscan-vws", "2024-Q4", "gereed", "", "rijk", now=at(2025, 5, 1))
    store.set_status("16-wijkscan-vws", "2025-Q3", "gereed", "", "rijk", now=at(2025, 5, 1))
    assert Status.objects.count() == 3
    assert rules.quarter_window(date(2024, 12, 11), date(2025, 12, 31)) == ("2024-Q4", "2026-Q1")


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anoniem", 401),
        ("gemeente_utrecht", 403),
        ("provincie_utrecht", 403),
        ("corporatie", 403),
        ("rijk", 403),  # a Rijk lezer reads only (issue #23)
        ("rijk_bewerker", 201),
        ("beheerder", 201),
    ],
)
def test_only_the_rijk_sets_a_status(world, client, role, expected):
    headers = {} if role == "anoniem" else {"HTTP_AUTHORIZATION": f"Bearer {world['keys'][role]}"}
    response = client.post(
        "/api/v1/woontop/milestones/4-shortlist-doorbraaklocaties/statuses",
        {"quarter": "2025-Q1", "status": "gereed"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == expected
    if role in ("rijk", "rijk_bewerker", "gemeente_utrecht"):
        client.force_login(world["users"][role])
        form = {"mijlpaal": "4-shortlist-doorbraaklocaties", "kwartaal": "2025-Q1", "status": "vervallen"}
        assert client.post("/woontop", form).status_code == (302 if role == "rijk_bewerker" else 403)


def test_the_api_answers_the_table_and_refuses_unknown_filters(world, client):
    table = client.get("/api/v1/woontop/afspraken?kwartaal=2025-Q1").json()
    assert table["quarter"] == "2025-Q1" and table["afspraken"][0]["number"] == "1"
    rows = {m["code"]: m for a in table["afspraken"] for m in a["milestones"]}
    assert rows["10.1-warmteladder"]["deadline"] == "2025-12-31" and rows["10.1-warmteladder"]["page"] == 19
    assert rows["10.1-warmteladder"]["quote"].startswith("Genoemde partijen stellen in 2025 een warmteladder op")
    assert "Eind 2025 leveren deze lessen input op" in client.get("/woontop?kwartaal=2025-Q1").content.decode()
    assert client.get("/api/v1/woontop/afspraken?status=gereed").status_code == 400
    wrong = client.get("/api/v1/woontop/afspraken?kwartaal=2025-Q9")
    assert wrong.status_code == 400 and wrong["Content-Type"] == "application/problem+json"
    (reason,) = [p["reason"] for p in wrong.json()["invalidParams"] if p["name"] == "kwartaal"]
    assert reason.startswith("Heeft niet de vorm") and "NUL" not in reason  # issue #23: not the NUL message


def test_the_rijk_adds_a_milestone_with_its_own_source(world, client):
    body = {
        "afspraak": "19.1",
        "code": "19.1-regeling-gepubliceerd",
        "deadline": "2025-09-30",
        "term": "Q3 2025",
        "text": "Regeling realisatiestimulans gepubliceerd",
        "source": "Kamerbrief (fictief)",
    }

    def post(role, data):
        return client.post(
            "/api/v1/woontop/milestones",
            data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world['keys'][role]}",
        )

    assert post("provincie_utrecht", body).status_code == 403
    assert post("rijk", body).status_code == 403  # a Rijk lezer (issue #23)
    # issue #23: who may not write hears 403 whatever the body holds — before it is validated (an invalid code)
    for role in ("provincie_utrecht", "rijk", "gemeente_utrecht"):
        assert post(role, {**body, "code": "Ongeldige Code!"}).status_code == 403, role
        assert post(role, {"onzin": 1}).status_code == 403, role
    assert post("rijk_bewerker", {**body, "code": "Ongeldige Code!"}).status_code == 400
    assert client.post("/api/v1/woontop/milestones", {}, content_type="application/json").status_code == 401
    assert post("rijk_bewerker", {**body, "afspraak": "2"}).status_code == 400  # no Afspraak 2 in the seed
    assert post("rijk_bewerker", body).status_code == 201
    assert post("rijk_bewerker", body).status_code == 400  # the code exists: a new date is a new milestone
    table = store.table("2025-Q4", today=date(2025, 10, 1))
    (added,) = [
        m for a in table["afspraken"] if a["number"] == "19.1" for m in a["milestones"] if m["code"] == body["code"]
    ]
    assert added["overdue"] and added["status"] is None


def test_the_database_refuses_to_rewrite_the_history(world):
    """Beside the model's refusal, triggers (append_only.guard_after_migrate) refuse raw SQL."""
    from django.db import DatabaseError, connection, transaction

    from bouwregie.convenant.store import load_seed_partners

    load_seed_partners()
    store.set_status("16-wijkscan-vws", "2025-Q1", "gereed", "", "rijk")
    for sql in (
        "UPDATE woontop_status SET status = 'te_laat'",
        "DELETE FROM woontop_mijlpaal",
        "UPDATE sok_contribution SET amount_cents = 1",
        "DELETE FROM convenant_partner",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert Status.objects.get().status == "gereed"


def test_the_load_count_is_said_with_proper_plurals(world, capsys):
    """Issue #23: no "(en)" plurals; a second load adds nothing and says so ("0 afspraken en 0 mijlpalen")."""
    from django.core.management import call_command

    call_command("woontop", "load")
    assert "0 afspraken en 0 mijlpalen toegevoegd." in capsys.readouterr().out
