"""Who is asking: an API key (`Authorization: Bearer br_…`) for machine clients, or the signed-in web session
(the web pages call the same API). Open data needs neither; every other endpoint takes `auth=SIGNED_IN`."""

from ninja.security import HttpBearer, SessionAuth

from bouwregie.accounts import tokens


class ApiKey(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):
        user = tokens.user_for(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The signed-in web user (the web pages call the same API). A request without a signed-in session is simply
    not authenticated by this (401 problem+json, as without an API key): the CSRF check guards what a session may
    do, so it runs only for a signed-in user — an anonymous POST is not refused as "CSRF check Failed" (403)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


SIGNED_IN = [ApiKey(), Session()]
