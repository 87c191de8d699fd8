from django.contrib import admin
from django.urls import include, path

from bouwregie.accounts.login_guard import one_attempt_at_a_time
from bouwregie.api.v1 import api

urlpatterns = [
    # The admin's login, like ours, checks one attempt per account+address at a time (accounts.login_guard);
    # same path and name as the admin's own, which it shadows.
    path("beheer/login/", one_attempt_at_a_time(admin.site.login), name="admin-login"),
    path("beheer/", admin.site.urls),
    path("api/v1/", api.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),  # single sign-on (accounts/oidc.py), when configured
    path("", include("bouwregie.web.urls")),
]
