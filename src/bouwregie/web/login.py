"""Sign-in page: Django's own authentication. Brute-force protection is django-axes for every login form
(accounts.login_guard): a locked account+address gets this page again with status 429 and the minutes to wait."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator

from bouwregie.accounts.login_guard import one_attempt_at_a_time


@method_decorator(one_attempt_at_a_time, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        from django.conf import settings

        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}
