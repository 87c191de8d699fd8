"""Sign-in page: Django's own authentication, with the throttle of accounts.throttle in front."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from bouwregie.accounts import throttle


def client_address(request) -> str:
    """The address throttling counts: REMOTE_ADDR, never a client-supplied X-Forwarded-For (behind a
    load balancer, gunicorn's --forwarded-allow-ips makes REMOTE_ADDR the real client)."""
    return request.META.get("REMOTE_ADDR", "") or "onbekend"


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        minutes = throttle.wait_minutes(username, client_address(request))
        if minutes:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Te veel mislukte pogingen. Probeer het over %d minuten opnieuw.") % minutes)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.record_failure(self.request.POST.get("username", ""), client_address(self.request))
        return super().form_invalid(form)

    def form_valid(self, form):
        throttle.record_success(form.get_user().get_username())
        return super().form_valid(form)
