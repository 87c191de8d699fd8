from django.contrib import admin
from django.urls import path

from bouwregie.api.v1 import api
from bouwregie.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("beheer/", admin.site.urls),
    path("api/v1/", api.urls),
]
