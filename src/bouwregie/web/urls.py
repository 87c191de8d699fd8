from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from bouwregie.web import (
    convenant_pages,
    dashboard,
    forecast_pages,
    gebiedsbudget_pages,
    imports,
    instrument_pages,
    job_pages,
    map_pages,
    monitor_pages,
    project_edit,
    project_pages,
    rapport_pages,
    registraties_pages,
    sok_pages,
    spreiding_pages,
    wbi_pages,
    woondeal_pages,
    woondeal_progress_pages,
    woontop_pages,
)
from bouwregie.web.login import LoginView


def favicon(request):
    """Browsers ask /favicon.ico whatever the page links (issue #19: it was a 404): the icon is one SVG in the
    static files, linked from the base template."""
    return redirect(static("web/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", dashboard.area_page, name="home"),
    path("gebied/<str:code>", dashboard.area_page, name="area"),
    path("kaart", map_pages.map_page, name="map"),
    path("kaart/gemeenten.json", map_pages.municipalities_geojson, name="map-municipalities"),
    path("kaart/projecten.json", map_pages.projects_geojson, name="map-projects"),
    path("projecten", project_pages.project_list, name="projects"),
    path("projecten/export.<str:fmt>", project_pages.project_export, name="projects-export"),
    path("projecten/<str:code>", project_pages.project_page, name="project"),
    path("registraties", registraties_pages.differences_page, name="registraties"),
    path("projecten/<str:code>/bewerken", project_edit.edit_project, name="project-edit"),
    path("planlijsten", imports.imports_page, name="imports"),
    path("planlijsten/sjabloon.<str:fmt>", imports.import_template, name="import-template"),
    path("planlijsten/kolommen", imports.column_guide_page, name="import-columns"),
    path("planlijsten/<int:run_id>", imports.import_page, name="import"),
    path("planlijsten/<int:run_id>/besluit", imports.import_decide, name="import-decide"),
    path("planlijsten/<int:run_id>/rapport.csv", imports.import_report, name="import-report"),
    path("taken/<int:job_id>", job_pages.job_page, name="job"),
    path("taken/<int:job_id>.json", job_pages.job_status, name="job-status"),
    path("taken/<int:job_id>/opnieuw", job_pages.job_retry, name="job-retry"),
    path("peilingen", monitor_pages.peilingen_page, name="peilingen"),
    path("vertragingen", monitor_pages.delays_page, name="delays"),
    path("alternatieven", monitor_pages.alternatives_page, name="alternatives"),
    path("woondeals/<str:code>/spreiding", spreiding_pages.spreiding_page, name="woondeal-spreiding"),
    path("prognose", forecast_pages.forecast_page, name="forecasts"),
    path("prognose/<int:forecast_id>", forecast_pages.forecast_result, name="forecast"),
    path("prognose/<int:forecast_id>.csv", forecast_pages.forecast_csv, name="forecast-csv"),
    path("instrumenten/realisatiestimulans", instrument_pages.realisatiestimulans_page, name="realisatiestimulans"),
    path("instrumenten/gemeente/<str:code>", instrument_pages.municipality_page, name="instruments-municipality"),
    path("instrumenten/woningbouwimpuls", wbi_pages.woningbouwimpuls_page, name="woningbouwimpuls"),
    path("instrumenten/woningbouwimpuls/aanvragen", wbi_pages.wbi_submit_page, name="wbi-submit"),
    path("instrumenten/woningbouwimpuls/sjabloon.<str:fmt>", wbi_pages.wbi_template, name="wbi-template"),
    path("instrumenten/gebiedsbudget", gebiedsbudget_pages.gebiedsbudget_page, name="gebiedsbudget"),
    path("woondeals", woondeal_pages.woondeal_list, name="woondeals"),
    path("woondeals/nieuw", woondeal_pages.woondeal_new, name="woondeal-new"),
    path("woondeals/laden", woondeal_pages.woondeal_load, name="woondeal-load"),
    path("woondeals/template.<str:fmt>", woondeal_pages.woondeal_template, name="woondeal-template"),
    path("woondeals/<str:code>", woondeal_pages.woondeal_page, name="woondeal"),
    path("woondeals/<str:code>/bewerken", woondeal_pages.woondeal_edit, name="woondeal-edit"),
    path("woondeals/<str:code>/voortgang", woondeal_progress_pages.progress_page, name="woondeal-progress"),
    path("convenant", convenant_pages.convenant_page, name="convenant"),
    path("convenant/projecten/<str:code>", convenant_pages.convenant_project_page, name="convenant-project"),
    path("sok", sok_pages.sok_index, name="sok"),
    path("sok/<int:year>", sok_pages.sok_year, name="sok-year"),
    path("woontop", woontop_pages.woontop_page, name="woontop"),
    path("rapport", rapport_pages.rapport_page, name="rapport"),
    path("rapport/<int:job_id>", rapport_pages.rapport_download, name="rapport-download"),
    path("ppm-gebruik", rapport_pages.ppm_page, name="ppm-gebruik"),
    path("inloggen", LoginView.as_view(), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("taal/", include("django.conf.urls.i18n")),
]
