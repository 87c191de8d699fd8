"""Export → import is lossless (issue #3): the standard template carries everything but the
confidential open-book figures and subsidies."""

from dataclasses import replace

import pytest
from django.core.management import call_command

from bouwregie.ingest.export import export
from bouwregie.ingest.importer import ImportOptions, run_import
from bouwregie.ingest.mapping import TableMapper
from bouwregie.ingest.merge import apply_row
from bouwregie.ingest.profiles import choose_profile
from bouwregie.ingest.readers import read_table
from bouwregie.projects import services
from bouwregie.projects.models import Project, ProjectVersion
from bouwregie.projects.rules import canonical

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("demo", projects=150, seed=21)


@pytest.mark.parametrize("fmt, crs", [("csv", "EPSG:4326"), ("xlsx", "EPSG:4326"), ("gpkg", "EPSG:4326"),
                                      ("gpkg", "EPSG:28992"), ("geojson", "EPSG:4326")])  # fmt: skip
def test_an_export_imported_into_an_empty_database_reproduces_every_project(demo, tmp_path, fmt, crs):
    path = tmp_path / f"projecten.{fmt}"
    assert export(path, fmt, crs=crs) == 150
    table = read_table(path)
    binding = choose_profile(table.columns, None)
    assert binding.profile.name == "standaard" and binding.unused == []
    current = {Project.objects.get(id=pid).code: data for pid, (_n, data) in services.current_data(
        Project.objects.values_list("id", flat=True)).items()}  # fmt: skip
    for row in TableMapper(binding, services.matcher(), table).results():
        assert not row.problems, row.problems
        fresh = apply_row(None, row.fields, row.blank, row.cells)  # what the importer makes of a new row
        original = replace(current[row.projectcode], subsidies=(), open_book={})
        assert canonical(fresh) == canonical(original), row.projectcode


def test_reimporting_an_export_changes_nothing(demo, tmp_path):
    path = tmp_path / "projecten.gpkg"
    export(path, "gpkg", crs="EPSG:28992")
    versions = ProjectVersion.objects.count()
    result = run_import(path, ImportOptions(source="export", author="tester"))
    assert result.run.counts["unchanged"] == 150 and result.run.counts["changed"] == 0
    assert ProjectVersion.objects.count() == versions


def test_a_peiling_can_be_exported_as_it_was(demo, tmp_path):
    path = tmp_path / "q1.csv"
    assert export(path, "csv", peiling="2023-Q1") < 150
    assert "DEMO-" in path.read_text(encoding="utf-8-sig")
