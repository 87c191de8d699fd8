"""The API organised by domain (issue #22): each domain's endpoints in a router beside its room, one tag per
domain in the OpenAPI document and none under "default"; api/ keeps only the assembly, authentication and the
problem+json handling. The table below is the API's surface: a path, method, tag or operation id that changes
(or an endpoint added without being written here) fails the test — operation ids are the method names of
generated clients, so they stay what they were when every endpoint lived in api/v1.py."""

import re

import pytest

# (method, path under /api/v1) → (tag, operationId)
ENDPOINTS = {
    ("GET", "/areas"): ("gebieden", "bouwregie_api_v1_areas"),
    ("GET", "/peilingen"): ("peilingen", "bouwregie_api_v1_peilingen"),
    ("POST", "/peilingen/{code}/closure"): ("peilingen", "bouwregie_api_v1_close_peiling"),
    ("GET", "/monitor-figures"): ("monitor", "bouwregie_api_v1_monitor_figures"),
    ("GET", "/delays"): ("monitor", "bouwregie_api_v1_delays"),
    ("GET", "/alternatives"): ("monitor", "bouwregie_api_v1_alternatives"),
    ("GET", "/projects"): ("projecten", "bouwregie_api_v1_projects"),
    ("POST", "/projects"): ("projecten", "bouwregie_api_v1_create_project"),
    ("GET", "/projects/{code}"): ("projecten", "bouwregie_api_v1_project_detail"),
    ("PATCH", "/projects/{code}"): ("projecten", "bouwregie_api_v1_change_project"),
    ("GET", "/projects/{code}/milestones"): ("projecten", "bouwregie_api_v1_project_milestones"),
    ("PUT", "/projects/{code}/milestones/{kind}"): ("projecten", "bouwregie_api_v1_set_milestone"),
    ("GET", "/projects/{code}/versions"): ("projecten", "bouwregie_api_v1_project_versions"),
    ("GET", "/imports"): ("imports", "bouwregie_api_v1_imports"),
    ("POST", "/imports"): ("imports", "bouwregie_api_v1_upload_import"),
    ("GET", "/imports/{run_id}"): ("imports", "bouwregie_api_v1_import_detail"),
    ("POST", "/imports/{run_id}/decision"): ("imports", "bouwregie_api_v1_decide_import"),
    ("GET", "/jobs/{job_id}"): ("taken", "bouwregie_api_v1_job_detail"),
    ("POST", "/jobs/{job_id}/retry"): ("taken", "bouwregie_api_v1_job_retry"),
    ("POST", "/forecasts"): ("prognoses", "bouwregie_api_v1_start_forecast"),
    ("GET", "/forecasts"): ("prognoses", "bouwregie_api_v1_forecasts"),
    ("GET", "/forecasts/{forecast_id}"): ("prognoses", "bouwregie_api_v1_forecast_detail"),
    ("GET", "/forecast-calibration"): ("prognoses", "bouwregie_api_v1_forecast_calibration"),
    ("GET", "/realisatiestimulans"): ("instrumenten", "bouwregie_api_v1_realisatiestimulans"),
    ("GET", "/regelingen"): ("instrumenten", "bouwregie_api_v1_regelingen"),
    ("GET", "/kansrijk-scores"): ("instrumenten", "bouwregie_api_v1_kansrijk_scores"),
    ("POST", "/wbi-applications"): ("instrumenten", "bouwregie_api_v1_submit_wbi_application"),
    ("GET", "/wbi-applications"): ("instrumenten", "bouwregie_api_v1_wbi_applications"),
    ("GET", "/wbi-assessment"): ("instrumenten", "bouwregie_api_v1_wbi_assessment"),
    ("POST", "/gebiedsbudget-assessments"): ("instrumenten", "bouwregie_api_v1_gebiedsbudget_assessment"),
    ("POST", "/gebiedsbudget-packages"): ("instrumenten", "bouwregie_api_v1_submit_gebiedsbudget_package"),
    ("GET", "/gebiedsbudget-packages"): ("instrumenten", "bouwregie_api_v1_gebiedsbudget_packages"),
    ("POST", "/nplv-contributions"): ("instrumenten", "bouwregie_api_v1_nplv_contributions"),
    ("GET", "/woondeals"): ("woondeals", "bouwregie_woondeals_api_list_woondeals"),
    ("POST", "/woondeals"): ("woondeals", "bouwregie_woondeals_api_create_woondeal"),
    ("GET", "/woondeals/template"): ("woondeals", "bouwregie_woondeals_api_template_file"),
    ("GET", "/woondeals/{code}"): ("woondeals", "bouwregie_woondeals_api_get_woondeal"),
    ("PATCH", "/woondeals/{code}"): ("woondeals", "bouwregie_woondeals_api_change_woondeal"),
    ("GET", "/woondeals/{code}/voortgang"): ("woondeals", "bouwregie_woondeals_api_woondeal_voortgang"),
    ("GET", "/woondeals/{code}/versions"): ("woondeals", "bouwregie_woondeals_api_versions"),
    ("GET", "/woondeals/{code}/spreiding"): ("woondeals", "bouwregie_woondeals_api_spreiding_of"),
    ("GET", "/cbs-releases"): ("registraties", "bouwregie_cbs_api_releases"),
    ("GET", "/cbs-releases/{release_id}"): ("registraties", "bouwregie_cbs_api_release_detail"),
    ("GET", "/cbs-nieuwbouw"): ("registraties", "bouwregie_cbs_api_nieuwbouw"),
    ("GET", "/convenant/partners"): ("convenant", "bouwregie_convenant_api_partners"),
    ("POST", "/convenant/partners"): ("convenant", "bouwregie_convenant_api_add_partner"),
    ("GET", "/convenant/frameworks"): ("convenant", "bouwregie_convenant_api_frameworks"),
    ("GET", "/convenant/figures"): ("convenant", "bouwregie_convenant_api_figures"),
    ("GET", "/convenant/projects/{code}/records"): ("convenant", "bouwregie_convenant_api_records"),
    ("POST", "/convenant/projects/{code}/records"): ("convenant", "bouwregie_convenant_api_add_record"),
    ("GET", "/sok/years/{year}"): ("sok", "bouwregie_sok_api_year"),
    ("GET", "/sok/years/{year}/export"): ("sok", "bouwregie_sok_api_export"),
    ("POST", "/sok/years/{year}/expenditures"): ("sok", "bouwregie_sok_api_expenditure"),
    ("POST", "/sok/years/{year}/budget-changes"): ("sok", "bouwregie_sok_api_budget_change"),
    ("POST", "/sok/years/{year}/invoices"): ("sok", "bouwregie_sok_api_invoices"),
    ("POST", "/sok/years/{year}/annual-accounts"): ("sok", "bouwregie_sok_api_account"),
    ("GET", "/woontop/afspraken"): ("woontop", "bouwregie_woontop_api_afspraken"),
    ("POST", "/woontop/milestones"): ("woontop", "bouwregie_woontop_api_add_milestone"),
    ("POST", "/woontop/milestones/{code}/statuses"): ("woontop", "bouwregie_woontop_api_set_status"),
    ("GET", "/projects/{code}/registraties"): ("registraties", "bouwregie_registraties_api_project_registraties"),
    ("GET", "/registraties/verschillen"): ("registraties", "bouwregie_registraties_api_verschillen_endpoint"),
    ("POST", "/rapport"): ("rapport", "bouwregie_rapport_api_start"),
    ("GET", "/rapport/{job_id}"): ("rapport", "bouwregie_rapport_api_download"),
}

# Each domain's tag and the app whose router holds its endpoints (docs/api.md).
DOMAINS = {
    "gebieden": "geo",
    "peilingen": "projects",
    "monitor": "monitor",
    "projecten": "projects",
    "imports": "ingest",
    "taken": "jobs",
    "prognoses": "forecast",
    "instrumenten": "instruments",
    "woondeals": "woondeals",
    "registraties": ("cbs", "registraties"),
    "convenant": "convenant",
    "sok": "sok",
    "woontop": "woontop",
    "rapport": "rapport",
}


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    return Client(HTTP_HOST="localhost").get("/api/v1/openapi.json").json()


def operations(document):
    return [(method.upper(), path.removeprefix("/api/v1"), op) for path, ops in document["paths"].items()
            for method, op in ops.items()]  # fmt: skip


def test_every_operation_has_exactly_one_domain_tag_and_none_is_default(document):
    for method, path, op in operations(document):
        assert len(op.get("tags", [])) == 1, (method, path, op.get("tags"))
        assert op["tags"][0] != "default" and op["tags"][0] in DOMAINS, (method, path, op["tags"])


def test_each_domain_has_its_tag_described_in_the_document(document):
    used = {op["tags"][0] for _, _, op in operations(document)}
    assert used == set(DOMAINS)
    listed = [t["name"] for t in document["tags"]]
    assert listed == list(DOMAINS) and all(t["description"] for t in document["tags"])


def test_the_paths_methods_tags_and_operation_ids_are_the_written_ones(document):
    found = {(method, path): (op["tags"][0], op["operationId"]) for method, path, op in operations(document)}
    assert set(found) == set(ENDPOINTS), (sorted(set(found) - set(ENDPOINTS)), sorted(set(ENDPOINTS) - set(found)))
    assert found == ENDPOINTS
    assert len({op_id for _, op_id in found.values()}) == len(found)  # unique


def test_each_endpoint_lives_in_its_domains_app_and_api_keeps_only_the_assembly():
    from bouwregie.api.v1 import api

    by_tag = {}
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                module = operation.view_func.__module__
                assert not module.startswith("bouwregie.api."), (module, operation.view_func.__name__)
                (tag,) = operation.tags or router.tags
                by_tag.setdefault(tag, set()).add(module.split(".")[1])
    assert {tag: tuple(sorted(apps)) if len(apps) > 1 else apps.pop() for tag, apps in by_tag.items()} == DOMAINS


@pytest.mark.django_db
def test_every_documented_method_is_answered_by_its_router_not_refused_as_405(client):
    """A path in two routers would be answered by the first one only (Django takes the first URL pattern that
    matches): the other router's methods would answer 405. Every written endpoint answers its method (here
    anonymously: 401, or for open data 200/400/404), every refusal as problem+json."""
    for method, path in ENDPOINTS:
        url = "/api/v1" + re.sub(r"\{[a-z_]+\}", "1", path)
        answer = client.generic(method, url, HTTP_HOST="localhost")
        assert answer.status_code in (200, 400, 401, 404), (method, url, answer.status_code)
        if answer.status_code >= 400:
            assert answer["Content-Type"] == "application/problem+json", (method, url)
