"""The demo dataset: deterministic, realistic, and loaded through the same writer as real data."""

import statistics
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from bouwregie.demo.generator import generate
from bouwregie.demo.parameters import DemoParameters
from bouwregie.projects.enums import AFFORDABLE_SEGMENTS, hardness
from bouwregie.projects.models import Peiling, PeilingEntry, ProjectVersion
from bouwregie.projects.rules import total_homes


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
