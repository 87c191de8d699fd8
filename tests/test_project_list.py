"""Every project reachable from the web list (issue #19): a status filter over the project lifecycle, search by
code, name and external id, sortable column headers, page numbers, "mijn projecten" for a market party, the
planned delivery as a column, and an unknown filter value refused with a visible Dutch message (400) instead
of an empty list. Through the Django test client, on SQLite and PostgreSQL."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouwregie.accounts.models import Membership, Organisation, ProjectParty
from bouwregie.projects import search, services
from bouwregie.projects.models import CurrentVersion, Project
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.projects.rules import ProjectData
from bouwregie.projects.services import VersionMeta
from bouwregie.web import project_pages
from bouwregie.web.project_pages import page_numbers

from .roles import seat_user

WHEN = datetime(2025, 6, 1, tzinfo=UTC)


def _create(name, municipality, lifecycle="actief", external_ids=(), **fields):
    data = ProjectData(name=name, municipality=municipality, lifecycle=lifecycle, **fields)
    meta = VersionMeta(author="test", source="edit", reason="fixture", created_at=WHEN)
    return services.create_project(data, meta, external_ids=external_ids).project


@pytest.fixture
def projects(db):
    """Five projects, one per lifecycle and a second active one; hand-picked delivery dates:
    Merwedekanaalzone oplevering planned 1-6-2027; Sluisbuurt no oplevering, phasing up to 2030 (31-12-2030);
    Oude Haven realised (planned 1-3-2024, actual 1-5-2024: the planned date counts for 'gepland');
    Vervallen plan and Weg uit lijst have neither (no planned delivery)."""
    made = {
        "merwede": _create("Merwedekanaalzone", "GM0344", plan_status="1A", homes={"sociale_huur": {"gestapeld": 40}},
                           milestones=(M("oplevering", planned=date(2027, 6, 1)),)),
        "sluis": _create("Sluisbuurt", "GM0363", plan_status="3", homes={"dure_koop": {"gestapeld": 90}},
                         phasing={"2029": 50, "2030": 40}),
        "haven": _create("Oude Haven", "GM0344", lifecycle="gerealiseerd", plan_status="1A",
                         homes={"middenhuur": {"gestapeld": 12}}, external_ids=[("Provincie Utrecht", "PU-77")],
                         milestones=(M("start_bouw", actual=date(2022, 9, 1)),
                                     M("oplevering", planned=date(2024, 3, 1), actual=date(2024, 5, 1)))),
        "vervallen": _create("Vervallen plan", "GM0599", lifecycle="vervallen", plan_status="4A",
                             homes={"onbekend": {"onbekend": 5}}),
        "weg": _create("Weg uit lijst", "GM0344", lifecycle="niet_meer_in_planlijst", plan_status="4B",
                       homes={"onbekend": {"onbekend": 7}}),
    }  # fmt: skip
    return {key: project.code for key, project in made.items()}


@pytest.fixture
def reader(client, db):
    client.force_login(seat_user("lezer", "Ministerie", "rijk", None, None, "lezer"))
    return client


def _names(response) -> list[str]:
    """The project names in the list's rows, in order."""
    body = response.content.decode()
    row_header = r'<th class="utrecht-table__header-cell" scope="row"><a [^>]*>([^<]+)</a>'
    return [html.unescape(n) for n in re.findall(row_header, body)]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("", ["Merwedekanaalzone", "Sluisbuurt"]),  # active unless another status is chosen
        ("actief", ["Merwedekanaalzone", "Sluisbuurt"]),
        ("gerealiseerd", ["Oude Haven"]),
        ("vervallen", ["Vervallen plan"]),
        ("niet_meer_in_planlijst", ["Weg uit lijst"]),
        ("alle", ["Merwedekanaalzone", "Oude Haven", "Sluisbuurt", "Vervallen plan", "Weg uit lijst"]),
    ],
)
def test_the_status_filter_reaches_every_lifecycle(reader, projects, status, expected):
    response = reader.get("/projecten", {"status": status, "sorteer": "naam"})
    assert response.status_code == 200
    assert _names(response) == expected


def test_every_status_is_an_option_of_the_filter(reader, projects):
    body = reader.get("/projecten").content.decode()
    select = re.search(r'<select class="utrecht-select" id="status" name="status">(.*?)</select>', body, re.S).group(1)
    assert re.findall(r'value="([^"]+)"', select) == ["actief", "gerealiseerd", "vervallen", "niet_meer_in_planlijst",
                                                      "alle"]  # fmt: skip
    assert 'value="actief" selected' in select


def test_search_finds_by_code_name_and_external_id(reader, projects):
    assert _names(reader.get("/projecten", {"zoek": projects["haven"], "status": "alle"})) == ["Oude Haven"]
    assert _names(reader.get("/projecten", {"zoek": "pu-77", "status": "gerealiseerd"})) == ["Oude Haven"]
    assert _names(reader.get("/projecten", {"zoek": "haven", "status": "alle"})) == ["Oude Haven"]
    assert _names(reader.get("/projecten", {"zoek": "sluis"})) == ["Sluisbuurt"]


def test_a_search_that_finds_nothing_active_points_to_the_other_statuses(reader, projects):
    response = reader.get("/projecten", {"zoek": "PU-77"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200 and _names(response) == []
    assert "Met een andere status: 1 project." in body
    link = re.search(r'href="\?([^"]*)">Zoek in alle statussen', body).group(1)
    assert _names(reader.get(f"/projecten?{link}")) == ["Oude Haven"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("naam", ["Merwedekanaalzone", "Oude Haven", "Sluisbuurt", "Vervallen plan", "Weg uit lijst"]),
        ("-naam", ["Weg uit lijst", "Vervallen plan", "Sluisbuurt", "Oude Haven", "Merwedekanaalzone"]),
        # Amsterdam, Rotterdam, then Utrecht's three by project code (the order they were made in)
        ("gemeente", ["Sluisbuurt", "Vervallen plan", "Merwedekanaalzone", "Oude Haven", "Weg uit lijst"]),
        ("woningen", ["Vervallen plan", "Weg uit lijst", "Oude Haven", "Merwedekanaalzone", "Sluisbuurt"]),
        ("-woningen", ["Sluisbuurt", "Merwedekanaalzone", "Oude Haven", "Weg uit lijst", "Vervallen plan"]),
        ("planstatus", ["Merwedekanaalzone", "Oude Haven", "Sluisbuurt", "Vervallen plan", "Weg uit lijst"]),
        # 1-3-2024 (planned, delivered), 1-6-2027, 31-12-2030; none last in both directions
        ("oplevering", ["Oude Haven", "Merwedekanaalzone", "Sluisbuurt", "Vervallen plan", "Weg uit lijst"]),
        ("-oplevering", ["Sluisbuurt", "Merwedekanaalzone", "Oude Haven", "Vervallen plan", "Weg uit lijst"]),
    ],
)
def test_sorting_by_each_column(reader, projects, sort, expected):
    response = reader.get("/projecten", {"status": "alle", "sorteer": sort})
    assert response.status_code == 200
    assert _names(response) == expected


def test_sorting_by_code_follows_creation_order(reader, projects):
    codes = [projects[k] for k in ("merwede", "sluis", "haven", "vervallen", "weg")]
    body = reader.get("/projecten", {"status": "alle", "sorteer": "-code"}).content.decode()
    assert re.findall(r'<td class="utrecht-table__cell">(BR-\d+)</td>', body) == sorted(codes, reverse=True)


def test_column_headers_sort_and_reverse_and_say_which_is_sorted(reader, projects):
    body = html.unescape(reader.get("/projecten", {"status": "alle", "sorteer": "naam"}).content.decode())
    header = re.search(r'<th [^>]*aria-sort="ascending"><a class="utrecht-link" href="([^"]+)">Naam', body)
    assert header and header.group(1) == "?status=alle&sorteer=-naam"  # the sorted column's link reverses it
    assert 'href="?status=alle&sorteer=oplevering">Oplevering gepland' in body
    assert body.count("aria-sort=") == 1
    descending = html.unescape(reader.get("/projecten?status=alle&sorteer=-naam").content.decode())
    assert re.search(
        r'aria-sort="descending"><a class="utrecht-link" href="\?status=alle&sorteer=naam">Naam', descending
    )


def test_the_planned_delivery_column(reader, projects):
    body = reader.get("/projecten", {"status": "alle", "sorteer": "naam"}).content.decode()
    cells = re.findall(r'<td class="utrecht-table__cell">([^<]*)</td>\s*<td class="utrecht-table__cell">'
                       r'(Actief|Gerealiseerd|Vervallen|Niet meer in planlijst)</td>', body)  # fmt: skip
    assert cells == [("1-6-2027", "Actief"), ("1-3-2024", "Gerealiseerd"), ("31-12-2030", "Actief"),
                     ("–", "Vervallen"), ("–", "Niet meer in planlijst")]  # fmt: skip


def test_the_sql_planned_delivery_is_the_rule_on_each_project(projects):
    """with_planned_delivery (SQL, both backends) against the dates the fixture's docstring computes by hand."""
    annotated = search.with_planned_delivery(services.current_versions()).values_list("project__code",
                                                                                      "planned_delivery")  # fmt: skip
    assert dict(annotated) == {
        projects["merwede"]: date(2027, 6, 1), projects["sluis"]: date(2030, 12, 31),
        projects["haven"]: date(2024, 3, 1), projects["vervallen"]: None, projects["weg"]: None,
    }  # fmt: skip


@pytest.mark.parametrize("lifecycle", [None, "actief", "gerealiseerd"])
@pytest.mark.parametrize("area", [None, "GM0344", "PV26"])
def test_the_sql_page_ids_follow_the_orm_order_for_every_sort(projects, lifecycle, area):
    """search.page_version_ids (the list's fast path) against find() (the ORM), every sort both ways, pages of 2."""
    for key in search.SORTS:
        for sort in (key, f"-{key}"):
            q = search.ProjectQuery(area=area, lifecycle=lifecycle, sort=sort)
            ids = search.page_version_ids(q, 2, 2)
            assert ids == [v.id for v in search.find(q)[2:4]], sort  # oplevering: the index keeps it (issue #19)
    # The search text too (part of the name or code, any case; an external id exactly), LIKE's own characters
    # taken literally; count and page as find() has them.
    for text in ("haven", "HAV", "a", "pu-77", "PU-7", "%", "_", "\\", "BR-"):
        q = search.ProjectQuery(area=area, lifecycle=lifecycle, search=text, sort="-oplevering")
        assert search.page_version_ids(q, 0, 10) == [v.id for v in search.find(q)[:10]], text
        assert search.count(q) == search.find(q).count(), text
    # A set of projects (the delayed ones): on the index as well, an empty set matching nothing.
    ids = frozenset(
        Project.objects.filter(code__in=[projects["merwede"], projects["haven"]]).values_list("id", flat=True)
    )
    for chosen in (ids, frozenset()):
        q = search.ProjectQuery(area=area, lifecycle=lifecycle, project_ids=chosen, sort="naam")
        assert search.page_version_ids(q, 0, 10) == [v.id for v in search.find(q)[:10]]
        assert search.count(q) == search.find(q).count()
    assert search.page_version_ids(search.ProjectQuery(plan_status="1A"), 0, 10) is None  # other filters: the ORM


def test_the_index_keeps_the_planned_delivery_of_every_current_version(projects):
    """What services._set_current copies is what with_planned_delivery computes (the fixture's hand dates)."""
    kept = dict(CurrentVersion.objects.values_list("code", "planned_delivery"))
    assert kept == {
        projects["merwede"]: date(2027, 6, 1), projects["sluis"]: date(2030, 12, 31),
        projects["haven"]: date(2024, 3, 1), projects["vervallen"]: None, projects["weg"]: None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"status": "geannuleerd"}, "'geannuleerd' is geen keuze bij Projectstatus"),
        ({"planstatus": "9Z"}, "'9Z' is geen keuze bij Planstatus"),
        ({"fase": "bouwen"}, "'bouwen' is geen keuze bij Fase"),
        ({"segment": "koop"}, "'koop' is geen keuze bij Segment"),
        ({"knelpunt": "stikstof!"}, "'stikstof!' is geen keuze bij Knelpunt"),
        ({"sorteer": "prijs"}, "'prijs' is geen keuze bij Sorteer op"),
        ({"vertraagd": "misschien"}, "'misschien' is geen keuze bij Alleen vertraagd"),
        ({"mijn": "ja"}, "'ja' is geen keuze bij Mijn projecten"),  # a reader for the Rijk is no market party
    ],
)
def test_an_unknown_filter_value_is_a_visible_dutch_error_and_400(reader, projects, query, named):
    response = reader.get("/projecten", query)
    body = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert 'role="alert"' in body and named in body and "Kies een waarde uit de lijst." in body
    export = reader.get("/projecten/export.csv", query)
    assert export.status_code == 400 and named in export.content.decode()


def test_page_numbers_link_every_nearby_page_and_the_last(reader, projects, monkeypatch):
    monkeypatch.setattr(project_pages, "PAGE_SIZE", 1)
    body = html.unescape(reader.get("/projecten", {"status": "alle", "sorteer": "naam", "pagina": 1}).content.decode())
    pages = re.search(r'<ul class="br-pages">(.*?)</ul>', body, re.S).group(1)
    assert re.findall(r"pagina=(\d+)", pages) == ["1", "2", "3", "5"]  # 1 current, 2–3 near, … , 5 the last
    assert 'aria-current="page"' in pages and "…" in pages
    fifth = reader.get("/projecten", {"status": "alle", "sorteer": "naam", "pagina": 5})
    assert _names(fifth) == ["Weg uit lijst"]


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, None, 5]),
        (5, 5, [1, None, 3, 4, 5]),
        (10, 500, [1, None, 8, 9, 10, 11, 12, None, 500]),
        (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    ],
)
def test_page_numbers_by_hand(current, last, expected):
    assert page_numbers(current, last) == expected


@given(st.integers(1, 10_000).flatmap(lambda last: st.tuples(st.integers(1, last), st.just(last))))
def test_page_numbers_always_hold_first_last_and_current_in_order(pages):
    current, last = pages
    shown = page_numbers(current, last)
    numbers = [n for n in shown if n is not None]
    assert numbers[0] == 1 and numbers[-1] == last and current in numbers
    assert numbers == sorted(set(numbers)) and len(shown) <= 9
    for i, n in enumerate(shown):  # a gap is marked exactly where pages are left out
        if n is None:
            assert shown[i + 1] - shown[i - 1] > 1
        elif i and shown[i - 1] is not None:
            assert n - shown[i - 1] == 1


def test_my_projects_for_a_market_party(client, projects):
    developer = seat_user("ontwikkelaar", "Bouwbedrijf", "ontwikkelaar", None, None, "bewerker")
    organisation = Organisation.objects.get(name="Bouwbedrijf")
    for key in ("merwede", "haven"):
        ProjectParty.objects.create(project=Project.objects.get(code=projects[key]), organisation=organisation,
                                    role="ontwikkelaar")  # fmt: skip
    client.force_login(developer)
    body = client.get("/projecten").content.decode()
    assert 'name="mijn"' in body and "Alleen mijn projecten" in body
    assert _names(client.get("/projecten", {"mijn": "ja", "sorteer": "naam"})) == ["Merwedekanaalzone"]
    assert _names(client.get("/projecten", {"mijn": "ja", "status": "alle", "sorteer": "naam"})) == [
        "Merwedekanaalzone", "Oude Haven"]  # fmt: skip
    assert len(_names(client.get("/projecten", {"status": "alle"}))) == 5  # the overview stays readable
    # a municipal civil servant has no market party, so no such filter; a seat at the developer gives it
    municipal = seat_user("ambtenaar", "Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker")
    client.force_login(municipal)
    assert 'name="mijn"' not in client.get("/projecten").content.decode()
    Membership.objects.create(user=municipal, organisation=organisation, role="lezer")
    assert _names(client.get("/projecten", {"mijn": "ja", "status": "alle", "sorteer": "naam"})) == [
        "Merwedekanaalzone", "Oude Haven"]  # fmt: skip
