"""What makes the pages fast must never make them wrong: the current-version index follows every write,
cached figures of a closed peiling follow a changed agreement, and a region cannot take a municipality's
code (which the fast path of geo.areas relies on)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from bouwregie.accounts import tokens
from bouwregie.accounts.models import ApiToken
from bouwregie.geo.models import Region
from bouwregie.monitor import api
from bouwregie.projects import search, services
from bouwregie.projects.models import CurrentVersion, ProjectVersion
from bouwregie.targets.models import Target

from .builders import create


def _newest_by_number() -> dict[int, tuple]:
    newest = {}
    for v in ProjectVersion.objects.select_related("project"):
        if v.project_id not in newest or v.number > newest[v.project_id][0]:
            newest[v.project_id] = (v.number, v.id, v.municipality_id, v.lifecycle, v.project.code)
    return {pid: row[1:] for pid, row in newest.items()}


@pytest.mark.django_db
@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["GM0344", "GM0363", "GM0014"]),
                          st.sampled_from(["actief", "vervallen"])), min_size=1, max_size=8))  # fmt: skip
def test_the_current_version_index_always_points_at_the_newest_version(edits):
    projects = [create(f"P{i}", "GM0344") for i in range(3)]
    for which, municipality, lifecycle in edits:
        project = projects[which]
        data = services.current_data([project.id])[project.id][1]
        meta = services.VersionMeta("test", "edit", "wijziging", created_at=timezone.now())
        services.create_version(project, replace(data, municipality=municipality, lifecycle=lifecycle), meta)
    indexed = {
        c.project_id: (c.version_id, c.municipality_id, c.lifecycle, c.code) for c in CurrentVersion.objects.all()
    }
    assert indexed == _newest_by_number()
    assert sorted(search.find(search.ProjectQuery(lifecycle=None)).values_list("id", flat=True)) == sorted(
        row[0] for row in indexed.values()
    )
    for area in ("GM0344", "GM0363", "NL"):
        query = search.ProjectQuery(area=area)
        assert search.count(query) == search.find(query).count()


def test_cached_figures_of_a_closed_peiling_follow_a_changed_agreement(db):
    create("A", "GM0344", homes={"sociale_huur": {"gestapeld": 30}})
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 1, tzinfo=UTC))
    before = api.monitor("GM0344", "2025-Q2")
    assert api.monitor("GM0344", "2025-Q2") is before  # the same answer, computed once
    Target.objects.create(area="GM0344", metric="bruto_woningen", first_year=2025, last_year=2030, total=5000,
                          source="test")  # fmt: skip
    after = api.monitor("GM0344", "2025-Q2")
    assert after is not before and any(a.get("total") == 5000 for a in after["agreements"])
    assert api.national("2025-Q2")["GM0344"]["agreements"] == after["agreements"]


@pytest.mark.parametrize("code", ["GM0344", "gm0344", "PV26", "NL"])
def test_a_region_cannot_take_the_code_of_a_municipality_province_or_the_country(db, code):
    with pytest.raises(ValidationError, match="mag niet de vorm"):
        Region(code=code, name="x", kind="custom").full_clean()
    Region(code="woondeal-utrecht", name="x", kind="woondeal").full_clean()


def test_an_api_key_records_its_last_use_to_the_minute_not_on_every_request(db, django_user_model):
    user = django_user_model.objects.create_user("klant")
    key = tokens.issue(user, "test")
    assert tokens.user_for(key) == user
    first = ApiToken.objects.get().last_used_at
    assert tokens.user_for(key) == user and ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    tokens.user_for(key)
    assert ApiToken.objects.get().last_used_at > first - timedelta(minutes=2)
    ApiToken.objects.update(revoked=True)
    assert tokens.user_for(key) is None  # a revoked key stops at once: nothing about keys is cached
