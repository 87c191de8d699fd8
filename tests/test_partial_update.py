"""A list that carries only some fields changes only those (issue 15): the erasure found with the web upload —
standard template, a row with only start_bouw_gepland, oplevering_gepland and three count columns — reproduced,
and shown to lose nothing; the preview (web and --dry-run) names every field that changes, old → new; only the
clear marker #LEEG clears a recorded value."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from bouwregie.ingest.models import ImportRun
from bouwregie.projects import services
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData as M

from .roles import build_world
from .test_web_updates import _follow_job, _text

pytestmark = pytest.mark.django_db

RECORDED_HOMES = {
    "sociale_huur": {"gestapeld": 20},
    "middenhuur": {"gestapeld": 10},
    "betaalbare_koop": {"grondgebonden": 5},
    "dure_koop": {"grondgebonden": 15},
}
RECORDED_MILESTONES = (
    M("vergunning_verleend", planned=date(2024, 1, 15), actual=date(2024, 2, 1)),
    M("start_bouw", planned=date(2024, 3, 1), actual=date(2024, 4, 2)),
    M("oplevering", planned=date(2026, 6, 1)),
)
HEADER = (
    "projectcode;start_bouw_gepland;oplevering_gepland;sociale_huur_gestapeld;middenhuur_gestapeld;"
    "dure_koop_grondgebonden"
)


@pytest.fixture
def recorded(db):
    world = build_world()
    project = Project.objects.get(code=world["utrecht"])
    current = services.current_data([project.id])[project.id][1]
    data = current.__class__(**{**current.__dict__, "homes": RECORDED_HOMES, "milestones": RECORDED_MILESTONES,
                                "plan_status": "1A"})  # fmt: skip
    services.create_version(project, data, services.VersionMeta(author="test", source="edit", reason="vastgelegd"))
    return world, project


def stored(project):
    return services.current_data([project.id])[project.id][1]


def update_file(tmp_path, code, row="2024-05-01;2026-09-30;24;12;18", header=HEADER):
    path = tmp_path / "kwartaalupdate.csv"
    path.write_text(f"{header}\n{code};{row}\n", encoding="utf-8")
    return path


def test_a_partial_update_keeps_actual_dates_and_segments_it_does_not_carry(recorded, tmp_path):
    _world, project = recorded
    path = update_file(tmp_path, project.code)
    out = StringIO()
    call_command("import", str(path), "--source", "gemeente", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Start bouw gepland: 2024-03-01 → 2024-05-01" in text
    assert "Oplevering gepland: 2026-06-01 → 2026-09-30" in text
    assert "werkelijk" not in text  # no actual date would change
    call_command("import", str(path), "--source", "gemeente", stdout=StringIO())
    after = stored(project)
    assert after.homes == {
        "sociale_huur": {"gestapeld": 24},
        "middenhuur": {"gestapeld": 12},
        "betaalbare_koop": {"grondgebonden": 5},  # not in the file: kept
        "dure_koop": {"grondgebonden": 18},
    }
    stones = {m.kind: m for m in after.milestones}
    assert stones["start_bouw"] == M("start_bouw", planned=date(2024, 5, 1), actual=date(2024, 4, 2))
    assert stones["vergunning_verleend"] == RECORDED_MILESTONES[0]  # not in the file: kept whole
    assert stones["oplevering"].planned == date(2026, 9, 30)
    assert after.plan_status == "1A" and after.name == stored(project).name


def test_empty_cells_keep_and_the_clear_marker_clears(recorded, tmp_path):
    _world, project = recorded
    header = HEADER + ";start_bouw_werkelijk;vergunning_verleend_werkelijk"
    path = update_file(tmp_path, project.code, row=";;;;;#LEEG;", header=header)
    call_command("import", str(path), "--source", "gemeente", stdout=StringIO())
    after = stored(project)
    stones = {m.kind: m for m in after.milestones}
    assert stones["start_bouw"] == M("start_bouw", planned=date(2024, 3, 1))  # actual cleared, planned kept
    assert stones["vergunning_verleend"] == RECORDED_MILESTONES[0]  # empty cell: kept
    assert after.homes == RECORDED_HOMES


def test_the_web_preview_names_each_change_and_the_confirmed_import_loses_nothing(recorded, client, tmp_path):
    world, project = recorded
    client.force_login(world["users"]["provincie_utrecht"])
    path = update_file(tmp_path, project.code)
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), "source": "Provincie Utrecht", "profile": "",
            "sheet": "", "peiling": ""}  # fmt: skip
    url, preview = _follow_job(client, client.post("/planlijsten", data))
    text = _text(preview)
    assert re.search(r"Start bouw gepland ?: 1-3-2024 → 1-5-2024", text), text[:3000]  # one date notation (#19)
    assert re.search(r"Oplevering gepland ?: 1-6-2026 → 30-9-2026", text)
    assert "werkelijk" not in text  # no actual date would change
    assert stored(project).homes == RECORDED_HOMES  # a preview writes nothing
    run = ImportRun.objects.get(pk=int(url.rsplit("/", 1)[1]))
    _follow_job(client, client.post(f"/planlijsten/{run.pk}/besluit", {"besluit": "bevestigen"}))
    after = stored(project)
    assert {m.kind: m.actual for m in after.milestones if m.actual} == {
        "vergunning_verleend": date(2024, 2, 1),
        "start_bouw": date(2024, 4, 2),
    }
    assert after.homes["betaalbare_koop"] == {"grondgebonden": 5}


def test_a_dated_oplevering_sets_the_phasing_said_in_the_preview_and_a_reimport_changes_nothing(recorded, tmp_path):
    """Homes count in the year of a dated oplevering (rules.delivery_phasing): what is compared and previewed is
    what is stored, so the same file twice gives no new version, and a phasing set aside is said."""
    path = tmp_path / "lijst.csv"
    path.write_text(
        "extern_id;projectnaam;gemeentecode;onbekend_onbekend;fasering;oplevering_gepland\n"
        "L1;Lijstplan;GM0344;24;2025:10;2030-06-30\n",
        encoding="utf-8",
    )
    call_command("import", str(path), "--source", "lijst", stdout=StringIO())
    first = ImportRun.objects.latest("id")
    assert any("Fasering uit de lijst niet gebruikt" in p["reason"] for p in first.problems)
    call_command("import", str(path), "--source", "lijst", stdout=StringIO())
    again = ImportRun.objects.latest("id")
    assert (again.counts["unchanged"], again.counts["changed"]) == (1, 0), again.changes["changed"][0]["diff"]


def test_a_new_oplevering_date_shows_the_phasing_it_replaces(recorded, tmp_path):
    _world, project = recorded
    data = stored(project)
    phased = data.__class__(**{**data.__dict__, "milestones": (), "phasing": {"2024": 20, "2025": 30}})
    services.create_version(project, phased, services.VersionMeta(author="test", source="edit", reason="fasering"))
    path = update_file(tmp_path, project.code, row="2026-01-01", header="projectcode;oplevering_gepland")
    out = StringIO()
    call_command("import", str(path), "--source", "gemeente", "--dry-run", stdout=out)
    assert "Fasering: 2024 20, 2025 30 → 2026 50" in out.getvalue()


def test_the_clear_marker_works_for_every_kind_of_field_and_a_bare_planned_year_is_its_last_day(recorded, tmp_path):
    _world, project = recorded
    before = stored(project)
    header = "projectcode;planstatus;sociale_huur_gestapeld;opmerking;knelpunten;start_bouw_gepland;projectnaam"
    path = update_file(tmp_path, project.code, row="#LEEG;#LEEG;#LEEG;#leeg;2027;", header=header)
    call_command("import", str(path), "--source", "gemeente", stdout=StringIO())
    after = stored(project)
    run = ImportRun.objects.latest("id")
    assert run.status == "geslaagd", run.problems
    assert after.plan_status == "onbekend" and after.bottlenecks == ()
    assert "sociale_huur" not in after.homes and after.homes["middenhuur"] == before.homes["middenhuur"]
    assert "opmerking" not in after.source_info and after.name == before.name
    assert {m.kind: m.planned for m in after.milestones}["start_bouw"] == date(2027, 12, 31)
    assert any("Alleen een jaar als geplande datum" in p["reason"] for p in run.problems)
    refused = update_file(tmp_path, project.code, row="#LEEG", header="projectcode;projectnaam")
    with pytest.raises(CommandError):
        call_command("import", str(refused), "--source", "gemeente", stdout=StringIO())
    assert "kan hier niet" in ImportRun.objects.latest("id").problems[0]["reason"]
