from django.contrib.auth import views as auth_views
from django.urls import include, path

from bouwregie.web import dashboard, project_pages
from bouwregie.web.login import LoginView

urlpatterns = [
    path("", dashboard.area_page, name="home"),
    path("gebied/<str:code>", dashboard.area_page, name="area"),
    path("projecten", project_pages.project_list, name="projects"),
    path("projecten/export.<str:fmt>", project_pages.project_export, name="projects-export"),
    path("projecten/<str:code>", project_pages.project_page, name="project"),
    path("inloggen", LoginView.as_view(), name="login"),
    path("uitloggen", auth_views.LogoutView.as_view(), name="logout"),
    path("taal/", include("django.conf.urls.i18n")),
]
