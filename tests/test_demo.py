"""The demo dataset: deterministic, realistic, and loaded through the same writer as real data."""

import dataclasses
import statistics
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from bouwregie.demo import generator
from bouwregie.demo.generator import generate, generate_in_chunks
from bouwregie.demo.parameters import DemoParameters
from bouwregie.projects.enums import AFFORDABLE_SEGMENTS, hardness
from bouwregie.projects.models import Milestone, Peiling, PeilingEntry, Project, ProjectVersion
from bouwregie.projects.rules import total_homes
from bouwregie.projects.services import ProjectValidationError, write_history_in_chunks


def fingerprint(params):
    projects, closes, entries = generate(params)
    return repr([(p.code, p.external_ids, p.versions) for p in projects]), closes, entries


def test_same_seed_same_data_other_seed_other_data():
    small = DemoParameters(projects=300, seed=7)
    assert fingerprint(small) == fingerprint(small)
    assert fingerprint(small)[0] != fingerprint(DemoParameters(projects=300, seed=8))[0]


@pytest.fixture(scope="module")
def sample():
    return generate(DemoParameters(projects=4000, seed=11))


def test_the_pipeline_looks_like_the_real_one(sample):
    projects, closes, entries = sample
    latest = [p.versions[-1][0] for p in projects]
    homes = [total_homes(d) for d in latest]
    # Size: skewed, many small and few large; ~48 homes on average (1.2 million over 25,000).
    assert 40 < statistics.mean(homes) < 57
    assert statistics.median(homes) < statistics.mean(homes) / 2
    assert max(homes) > 2000
    # About 2/3 affordable where the segment is known.
    known = Counter()
    for d in latest:
        for segment, by_type in d.homes.items():
            known[segment] += sum(by_type.values())
    affordable = sum(known[s] for s in AFFORDABLE_SEGMENTS) / (sum(known.values()) - known["onbekend"])
    assert 0.60 < affordable < 0.72
    # Roughly half of the active plan capacity is hard.
    active = [d for d in latest if d.lifecycle == "actief"]
    hard = sum(hardness(d.plan_status) == "hard" for d in active) / len(active)
    assert 0.4 < hard < 0.65
    # Projects progress, slip and disappear: several versions each, and some drop out.
    versions = [len(p.versions) for p in projects]
    assert 2.5 < statistics.mean(versions) < 6
    assert 0.01 < sum(d.lifecycle in ("vervallen", "niet_meer_in_planlijst") for d in latest) / len(latest) < 0.1
    assert list(closes) == [f"{y}-Q{q}" for y in (2023, 2024, 2025, 2026) for q in (1, 2, 3, 4)][:15]


def test_about_ten_years_from_initiative_to_delivery(sample):
    projects, _closes, _entries = sample
    durations = []
    for p in projects:
        final = p.versions[-1][0]
        dates = {m.kind: m.date for m in final.milestones if m.sequence == 1}
        if final.plan_type != "flex":
            durations.append((dates["oplevering"] - dates["initiatief"]).days / 365.25)
            build = (dates["oplevering"] - dates["start_bouw"]).days / 365.25
            assert build > 0
    assert 9 < statistics.mean(durations) < 12.5


@pytest.mark.django_db
def test_demo_command_loads_closed_peilingen_and_refuses_a_second_load(capsys):
    call_command("demo", projects=400, seed=3)
    assert Peiling.objects.filter(closed_at__isnull=False).count() == 15
    assert ProjectVersion.objects.values("project").distinct().count() == 400
    for peiling in Peiling.objects.all():
        late = PeilingEntry.objects.filter(peiling=peiling, version__created_at__gt=peiling.closed_at)
        assert not late.exists(), peiling.code
    provinces = set(PeilingEntry.objects.values_list("version__municipality__province_id", flat=True))
    assert len(provinces) == 12
    assert "Demo-login" in capsys.readouterr().out
    # Parties are at the table from each project's start, so closed peilingen count them (corporation homes).
    from django.db.models import F

    from bouwregie.accounts.models import ProjectParty
    from bouwregie.monitor.woondeal_progress import woondeal_progress

    assert ProjectParty.objects.exists() and not ProjectParty.objects.exclude(added_at=F("project__created_at"))
    corporations = woondeal_progress("WD-01", "2026-Q3")["corporations"]
    assert corporations["basis"] == "projectpartijen" and corporations["projects_with_parties"] > 0
    with pytest.raises(CommandError, match="bevat al projecten"):
        call_command("demo", projects=10)


def test_chunked_generation_is_the_same_data_as_in_one_piece():
    """Issue #21: `bouwregie demo` takes the pipeline a chunk at a time; whatever the chunk, the data of a seed is
    the same (every random number is drawn first, in the order it always was)."""
    params = DemoParameters(projects=50, seed=4)
    whole = generate(params)
    closes, chunks = generate_in_chunks(params, chunk=7)
    projects, entries = [], []
    for chunk, chunk_entries in chunks:
        assert len(chunk) <= 7 and all(i < len(chunk) for _code, i, _j in chunk_entries)  # indexes in the chunk
        entries += [(code, len(projects) + i, j) for code, i, j in chunk_entries]
        projects += chunk
    assert repr([(p.code, p.external_ids, p.versions) for p in projects]) == repr(
        [(p.code, p.external_ids, p.versions) for p in whole[0]]
    )
    assert closes == whole[1] and entries == whole[2]
    assert [p.code for p in projects] == [f"DEMO-{i:06d}" for i in range(1, 51)]


@pytest.mark.django_db
def test_the_demo_loads_chunk_by_chunk_what_one_piece_would(monkeypatch, capsys):
    monkeypatch.setattr(generator, "CHUNK", 150)
    call_command("demo", projects=400, seed=3)
    projects, _closes, entries = generate(DemoParameters(projects=400, seed=3))
    assert ProjectVersion.objects.count() == sum(len(p.versions) for p in projects)
    assert PeilingEntry.objects.count() == len(entries)
    assert Milestone.objects.count() == sum(len(d.milestones) for p in projects for d, _meta in p.versions)
    out = capsys.readouterr().out
    assert "150 van 400 projecten" in out and "300 van 400 projecten" in out and "400 van 400 projecten" in out
    last = projects[-1]
    stored = ProjectVersion.objects.filter(project__code=last.code).order_by("number").values_list("name", flat=True)
    assert list(stored) == [d.name for d, _meta in last.versions]


@pytest.mark.django_db
def test_a_failed_chunk_leaves_nothing_behind(monkeypatch):
    """All or nothing: a problem in the third chunk rejects the first two as well, and no peiling is closed."""
    params = DemoParameters(projects=30, seed=2)
    closes, chunks = generate_in_chunks(params, chunk=10)

    def spoiled():
        for n, (chunk, chunk_entries) in enumerate(chunks):
            if n == 2:
                data, meta = chunk[0].versions[0]
                chunk[0].versions[0] = (dataclasses.replace(data, municipality="GM9999"), meta)
            yield chunk, chunk_entries

    with pytest.raises(ProjectValidationError):
        write_history_in_chunks(spoiled(), closes, author="demo")
    assert not Project.objects.exists() and not ProjectVersion.objects.exists() and not PeilingEntry.objects.exists()
    assert not Peiling.objects.filter(closed_at__isnull=False).exists()
