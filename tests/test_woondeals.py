"""Woondeals as maintained, versioned data (issue #17): template round trip, 'as agreed on date D', members
through a merger, validation warnings, append-only history and the API's permissions."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from bouwregie.projects.models import AppendOnlyError
from bouwregie.woondeals import rules, store, template
from bouwregie.woondeals.models import Woondeal, WoondealVersion

from .roles import seat_user

DEAL = {
    "name": "Demo-woondeal Amstelland",
    "provinces": ["PV27"],
    "members": [
        {"code": "GM0457", "from": None, "until": "2022-03-24"},
        {"code": "GM0363", "from": None, "until": None},
        {"code": "GM0358", "from": "2023-01-01", "until": None},
    ],
    "signatories": [
        {"name": "Woonstichting Demo", "kind": "corporatie", "role": "signed"},
        {"name": "Bouwbedrijf Demo", "kind": "bouwer", "role": "support"},
    ],
    "taakstelling_total": 900,
    "taakstelling_segments": {"sociale_huur": 300, "middenhuur_betaalbare_koop": 300, "duur": 300},
    "jaarschijven": {str(y): 100 for y in range(2022, 2031)},
    "corporation_homes": 250,
    "programming": {"2031": 50, "2035": 40},
    "source": "Demodata, fictief",
    "valid_from": "2022-10-01",
}


def ref():
    return rules.Reference(
        municipalities={"GM0363": "PV27", "GM0358": "PV27", "GM0344": "PV26"},
        mergers=(rules.Merger("GM0457", "GM0363", date(2022, 3, 24)),),
        provinces=frozenset({"PV26", "PV27"}),
    )


# --- pure rules ------------------------------------------------------------------------------------------
def test_members_through_a_merger_count_the_successor_once():
    members = DEAL["members"]
    assert rules.members_on(members, date(2022, 1, 1), ref()) == ["GM0363", "GM0457"]
    assert rules.members_on(members, date(2022, 6, 1), ref()) == ["GM0363"]  # Weesp in Amsterdam: once
    assert rules.members_on(members, date(2023, 6, 1), ref()) == ["GM0358", "GM0363"]
    # a member listed without an end date that merged away is still counted as its successor, once
    merged_open = [{"code": "GM0457"}, {"code": "GM0363"}]
    assert rules.members_on(merged_open, date(2024, 1, 1), ref()) == ["GM0363"]
    projects = {1: ("GM0363", 100), 2: ("GM0358", 40), 3: ("GM0344", 70)}
    assert rules.distinct_project_total(projects, set(rules.members_on(members, date(2022, 6, 1), ref()))) == (100, {1})
    assert rules.distinct_project_total(projects, set(rules.members_on(members, date(2023, 6, 1), ref())))[0] == 140


def test_sums_that_do_not_add_up_are_warnings_stating_the_rule():
    data = {**DEAL, "jaarschijven": {"2022": 100}, "taakstelling_segments": {"sociale_huur": 10}}
    findings = rules.validate(data, ref())
    assert findings and all(f.warning for f in findings)
    texts = " ".join(f.message for f in findings)
    assert "tellen op tot 100" in texts and "Afspraak 3A" in texts and "tellen op tot 10" in texts


def test_refusals_name_the_value():
    data = {
        **DEAL,
        "members": [{"code": "GM9999"}, {"code": "GM0457", "from": "2023-01-01"}],
        "jaarschijven": {"2040": 5},
        "taakstelling_total": -1,
        "signatories": [{"name": "X", "kind": "bank", "role": "signed"}],
    }
    findings = [f for f in rules.validate(data, ref()) if not f.warning]
    texts = " ".join(f.message for f in findings)
    assert "GM9999" in texts and "bestond op 2023-01-01 niet meer" in texts and "2040" in texts
    assert "'bank'" in texts and "'-1'" in texts


@pytest.mark.django_db
def test_members_are_checked_against_the_municipalities_of_their_date():
    reference = store.reference()  # the shipped CBS indeling: Dijk en Waard (GM1980) since 2022-01-01
    early = {**DEAL, "provinces": ["PV27"], "members": [{"code": "GM1980", "from": "2021-06-01"}]}
    assert "bestond op 2021-06-01 nog niet" in " ".join(f.message for f in rules.validate(early, reference))
    merged = {**DEAL, "members": [{"code": "GM0457", "from": "2022-01-01", "until": "2022-03-24"}]}
    assert not rules.validate(merged, reference)
    assert rules.members_on(merged["members"], date(2022, 2, 1), reference) == ["GM0457"]


# --- versions ----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_versions_answer_as_agreed_on_a_date():
    store.record("WD-01", DEAL, "a", "eerste", now=datetime(2023, 1, 5, tzinfo=UTC))
    store.record(
        "WD-01",
        {**DEAL, "taakstelling_total": 1000, "valid_from": "2024-07-01"},
        "a",
        "actualisatie",
        now=datetime(2024, 8, 1, tzinfo=UTC),
    )
    assert store.as_agreed_on("WD-01", date(2022, 9, 30)) is None
    assert store.as_agreed_on("WD-01", date(2023, 12, 31)).taakstelling_total == 900
    assert store.as_agreed_on("WD-01", date(2024, 7, 1)).taakstelling_total == 1000
    assert store.as_agreed_on("WD-01", date(2024, 7, 15), known_on=date(2024, 7, 15)).taakstelling_total == 900
    assert WoondealVersion.objects.filter(woondeal__code="WD-01").count() == 2


@pytest.mark.django_db
def test_history_is_append_only():
    version, _ = store.record("WD-02", DEAL, "a", "eerste")
    with pytest.raises(AppendOnlyError):
        WoondealVersion.objects.filter(pk=version.pk).update(name="x")
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:  # noqa: B017 (sqlite/pg differ)
        cursor.execute("UPDATE woondeals_woondealversion SET name = 'x'")
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:  # noqa: B017
        cursor.execute("DELETE FROM woondeals_woondeal")
    assert Woondeal.objects.get(code="WD-02").versions.get().name == DEAL["name"]


@pytest.mark.django_db
def test_store_refuses_in_dutch_and_writes_nothing():
    with pytest.raises(store.WoondealRefused, match="Onbekende gemeentecode 'GM9999'"):
        store.record("WD-03", {**DEAL, "members": [{"code": "GM9999"}]}, "a", "eerste")
    with pytest.raises(store.WoondealRefused, match="reden"):
        store.record("WD-03", DEAL, "a", " ")
    assert not Woondeal.objects.filter(code="WD-03").exists()


# --- template ---------------------------------------------------------------------------------------------
def _filled(tmp_path, fmt="csv"):
    rows = [
        template.row_of("WD-07", store.normalised(DEAL)),
        template.row_of(
            "WD-08",
            store.normalised(
                {
                    **DEAL,
                    "name": "Demo-woondeal Utrecht",
                    "provinces": ["PV26"],
                    "members": [{"code": "GM0344"}],
                    "programming": {},
                }
            ),
        ),
    ]
    path = tmp_path / f"woondeals.{fmt}"
    path.write_bytes(template.write(rows, fmt))
    return path


@pytest.mark.django_db
def test_template_round_trips_through_load_and_export(tmp_path):
    empty = tmp_path / "leeg.csv"
    call_command("woondeals", "template", "--output", str(empty))
    assert empty.read_bytes() == ("\ufeff" + ";".join(template.COLUMNS) + "\n").encode()  # UTF-8 with a BOM
    filled = _filled(tmp_path)
    call_command("woondeals", "load", str(filled), "--reden", "Eerste invoer")
    exported = tmp_path / "export.csv"
    call_command("woondeals", "export", "--output", str(exported))
    assert exported.read_bytes() == filled.read_bytes()
    assert store.as_agreed_on("WD-07").signatories == DEAL["signatories"]
    call_command("woondeals", "load", str(filled), "--reden", "Nogmaals")  # unchanged rows add no version
    assert WoondealVersion.objects.count() == 2


@pytest.mark.django_db
def test_excel_template_round_trips(tmp_path):
    from openpyxl import load_workbook

    filled = _filled(tmp_path, "xlsx")
    call_command("woondeals", "load", str(filled), "--reden", "Excel")
    exported = tmp_path / "export.xlsx"
    call_command("woondeals", "export", "--format", "xlsx", "--output", str(exported))

    def cells(path):
        return list(load_workbook(path)["woondeals"].iter_rows(values_only=True))

    assert cells(exported) == cells(filled)


@pytest.mark.django_db
def test_load_errors_name_row_column_and_value_and_write_nothing(tmp_path):
    from django.core.management.base import CommandError

    path = _filled(tmp_path)
    text = path.read_text(encoding="utf-8").replace("GM0344", "GM9999").replace(";250;", ";veel;", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("woondeals", "load", str(path), "--reden", "Eerste invoer")
    message = str(refused.value)
    assert "Rij 2, kolom woningen_corporaties, waarde 'veel'" in message
    assert "Rij 3, kolom gemeenten, waarde 'GM9999'" in message and "niets geladen" in message
    assert not Woondeal.objects.exists()


@pytest.mark.django_db
def test_show_as_agreed_on_a_date(tmp_path, capsys):
    call_command("woondeals", "load", str(_filled(tmp_path)), "--reden", "Eerste invoer")
    call_command("woondeals", "show", "WD-07", "--op", "2023-01-01")
    assert "taakstelling_total: 900" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nog geen afspraak"):
        call_command("woondeals", "show", "WD-07", "--op", "2020-01-01")


# --- API -----------------------------------------------------------------------------------------------------
@pytest.fixture
def people(db):
    return {
        "utrecht": seat_user("pu", "Provincie Utrecht", "provincie", "PV26", None, "tafelbeheerder"),
        "noord_holland": seat_user("pnh", "Provincie Noord-Holland", "provincie", "PV27", None, "bewerker"),
        "lezer_nh": seat_user("lnh", "Provincie NH lezers", "provincie", "PV27", None, "lezer"),
        "beheerder": seat_user("bh", "Platform", "other", None, None, "beheerder"),
    }


def _body(**extra):
    body = {**DEAL, "code": "WD-09", "reason": "Ondertekend"}
    body.update(extra)
    return body


@pytest.mark.django_db
def test_api_write_permissions(client, people):
    assert client.post("/api/v1/woondeals", _body(), content_type="application/json").status_code == 401
    for who in ("utrecht", "lezer_nh"):
        client.force_login(people[who])
        answer = client.post("/api/v1/woondeals", _body(), content_type="application/json")
        assert answer.status_code == 403 and answer["Content-Type"] == "application/problem+json"
    client.force_login(people["noord_holland"])
    created = client.post("/api/v1/woondeals", _body(), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["number"] == 1 and created.json()["author"] == "pnh"
    client.force_login(people["utrecht"])
    patch = {"reason": "Actualisatie", "taakstelling_total": 950, "valid_from": "2025-01-01"}
    assert client.patch("/api/v1/woondeals/WD-09", patch, content_type="application/json").status_code == 403
    client.force_login(people["beheerder"])
    changed = client.patch("/api/v1/woondeals/WD-09", patch, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["number"] == 2
    assert any("tellen op tot 900" in w for w in changed.json()["warnings"])
    client.logout()
    assert client.get("/api/v1/woondeals/WD-09?op=2024-12-31").json()["taakstelling_total"] == 900
    assert client.get("/api/v1/woondeals/WD-09?op=2025-01-01").json()["taakstelling_total"] == 950
    assert [v["number"] for v in client.get("/api/v1/woondeals/WD-09/versions").json()] == [1, 2]
    assert [d["code"] for d in client.get("/api/v1/woondeals").json()] == ["WD-09"]


@pytest.mark.django_db
def test_api_refusals_are_problems(client, people):
    client.force_login(people["beheerder"])
    bad = client.post("/api/v1/woondeals", _body(members=[{"code": "GM9999"}]), content_type="application/json")
    assert bad.status_code == 400 and "GM9999" in bad.content.decode()
    no_reason = client.patch("/api/v1/woondeals/WD-09", {"name": "x"}, content_type="application/json")
    assert no_reason.status_code == 400
    assert client.get("/api/v1/woondeals/WD-99").status_code == 404
    assert client.post("/api/v1/woondeals", _body(), content_type="application/json").status_code == 201
    again = client.post("/api/v1/woondeals", _body(), content_type="application/json")
    assert again.status_code == 400 and "bestaat al" in again.content.decode()
    assert not Woondeal.objects.filter(code="WD-99").exists()


@pytest.mark.django_db
def test_demo_woondeals_are_labelled_and_add_up():
    from bouwregie.geo.models import Region
    from bouwregie.woondeals.demo import COUNT, create_demo_woondeals

    assert create_demo_woondeals() == COUNT == 35
    versions = store.current_all()
    assert len(versions) == 35 and all(v.name.startswith("Demo-woondeal") for v in versions)
    assert {v.source for v in versions} == {"Demodata, fictief"}
    members = [m["code"] for v in versions for m in v.members]
    assert len(members) == len(set(members)) == 342  # every municipality in exactly one demo region
    ref = store.reference()
    assert not [f for v in versions for f in rules.validate(store.data_of(v), ref)]  # no warnings either
    assert Region.objects.filter(kind="woondeal").count() == 35


@pytest.mark.django_db
def test_api_province_cannot_pull_a_deal_into_another_province_and_known_on(client, people):
    client.force_login(people["noord_holland"])
    assert client.post("/api/v1/woondeals", _body(), content_type="application/json").status_code == 201
    across = {"reason": "Uitbreiding", "provinces": ["PV26", "PV27"], "valid_from": "2025-01-01"}
    assert client.patch("/api/v1/woondeals/WD-09", across, content_type="application/json").status_code == 403
    client.force_login(people["beheerder"])
    assert client.patch("/api/v1/woondeals/WD-09", across, content_type="application/json").status_code == 200
    client.force_login(people["noord_holland"])  # now also in Utrecht's province: Noord-Holland alone may not
    again = {"reason": "x", "name": "Demo-woondeal Amstelland-Utrecht"}
    assert client.patch("/api/v1/woondeals/WD-09", again, content_type="application/json").status_code == 403
    today = timezone.localdate().isoformat()
    assert client.get(f"/api/v1/woondeals/WD-09?op={today}").json()["provinces"] == ["PV26", "PV27"]
    yesterday = date.fromordinal(timezone.localdate().toordinal() - 1).isoformat()
    assert client.get(f"/api/v1/woondeals/WD-09?op={today}&bekend_op={yesterday}").status_code == 404


@pytest.mark.django_db
def test_template_download_from_the_api(client, tmp_path):
    empty = client.get("/api/v1/woondeals/template?format=csv")
    assert empty.status_code == 200 and empty.content.decode("utf-8-sig").strip() == ";".join(template.COLUMNS)
    call_command("woondeals", "load", str(_filled(tmp_path)), "--reden", "Eerste invoer")
    filled = client.get("/api/v1/woondeals/template?format=xlsx&gevuld=true")
    assert filled.status_code == 200 and filled.content[:2] == b"PK"
    path = tmp_path / "download.xlsx"
    path.write_bytes(filled.content)
    assert len(template.read_table(path)) == 3


def test_every_path_meets_the_same_member_and_number_rules(db):
    """Review findings of #17: a province cannot bind another province's municipality, the same municipality
    twice for one period is refused, a former municipality beside its successor is a warning, and no figure
    exceeds rules.MAX_HOMES — in the pure rules, so form, template and API meet them alike."""
    from bouwregie.woondeals import rules as r

    ref = store.reference()
    base = {"name": "T", "source": "test", "provinces": ["PV27"], "taakstelling_total": 100}

    def findings(**v):
        return [(f.message, f.warning) for f in r.validate({**base, **v}, ref)]

    outside = findings(members=[{"code": "GM0344"}])
    assert outside == [("Gemeente GM0344 ligt in PV26, buiten de provincies van deze woondeal (PV27); voeg die "
                        "provincie toe of laat de gemeente weg.", False)]  # fmt: skip
    assert findings(members=[{"code": "GM0344"}], provinces=["PV27", "PV26"]) == []
    twice = findings(members=[{"code": "GM0363"}, {"code": "GM0363", "from": "2024-01-01"}])
    assert twice == [("Gemeente GM0363 staat meer dan eens in de lijst voor dezelfde periode.", False)]
    assert findings(members=[{"code": "GM0363", "until": "2024-01-01"}, {"code": "GM0363", "from": "2024-01-01"}]) == []
    weesp = findings(members=[{"code": "GM0457"}, {"code": "GM0363"}])
    assert weesp == [("GM0457 is op 2022-03-24 opgegaan in GM0363, dat ook lid is: vanaf die dag telt GM0363 één "
                      "keer. Geef GM0457 die einddatum.", True)]  # fmt: skip
    huge = findings(members=[{"code": "GM0363"}], jaarschijven={"2022": 10**20})
    assert ("'100000000000000000000' is geen aantal woningen (geheel getal van 0 tot en met 10.000.000).",
            False) in huge  # fmt: skip


@pytest.mark.django_db
def test_known_on_counts_dutch_calendar_days():
    """'Bekend op D' is a day in the Netherlands (Europe/Amsterdam), not in UTC: a version recorded at 23:30 UTC on
    30 November 2026 was recorded at 00:30 on 1 December in Amsterdam, so it was not yet known on 30 November.
    Computed by hand: CET is UTC+1 in winter; in summer (CEST, UTC+2) 22:30 UTC is already the next day."""
    winter = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    store.record("WD-07", DEAL, "a", "eerste", now=winter, ref=ref())
    assert store.as_agreed_on("WD-07", date(2026, 12, 1), known_on=date(2026, 11, 30)) is None
    assert store.as_agreed_on("WD-07", date(2026, 12, 1), known_on=date(2026, 12, 1)).number == 1
    assert store.recorded_on(winter) == date(2026, 12, 1)
    assert "eerste versie vastgelegd op 2026-12-01" in store.absent("WD-07", date(2026, 12, 1), date(2026, 11, 30))
    summer = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    store.record("WD-08", {**DEAL, "name": "Demo-woondeal Zomer"}, "a", "eerste", now=summer, ref=ref())
    assert store.as_agreed_on("WD-08", date(2026, 7, 1), known_on=date(2026, 6, 30)) is None
    assert store.as_agreed_on("WD-08", date(2026, 7, 1), known_on=date(2026, 7, 1)).number == 1
    before_midnight = datetime(2026, 6, 30, 21, 59, 59, 999999, tzinfo=UTC)  # 23:59:59.999999 CEST
    assert store.recorded_on(before_midnight) == date(2026, 6, 30)
