from django.contrib import admin
from django.urls import include, path

from bouwregie.api.v1 import api

urlpatterns = [
    path("beheer/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("bouwregie.web.urls")),
]
