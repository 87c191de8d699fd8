"""The door of every request: what PostgreSQL cannot store is refused before any view runs, and on /api/ paths
every error is application/problem+json, whoever answered it (Django's URL resolver, a size limit, ninja).

- NUL characters (0x00): PostgreSQL cannot store or compare them in text, so a query string or body carrying
  one ended as a server error deep in a query (found by the API contract test; issue #16: also in a form POST
  and a text/plain body). Checked in the query string, the path and every body that is not multipart (a
  multipart body carries files, which may hold any byte; its text fields are checked where they are read).
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig) or with too many fields: 413 / 400 with the
  reason, instead of Django's HTML error page (issue #16: a 3 MB JSON body).
- 404 and 405 on /api/ paths that no endpoint answered (an unknown resource, a method it does not have):
  turned into problem+json as the NL API Design Rules ask.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.api.problems import problem

MESSAGE = gettext_lazy("De invoer bevat een NUL-teken (0x00); dat kan niet worden verwerkt.")


class RejectNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        try:
            has_nul = self._has_nul(request)
        except RequestDataTooBig:
            return self._refused(request, 413, _("Verzoek te groot"), _(
                "Het verzoek is groter dan %(mb).1f MB; stuur minder gegevens per verzoek."
            ) % {"mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20})  # fmt: skip
        except TooManyFieldsSent:
            return self._refused(request, 400, _("Ongeldige invoer"), _("Het verzoek bevat te veel velden."))
        if has_nul:
            return self._refused(request, 400, _("Ongeldige invoer"), str(MESSAGE))
        response = self.get_response(request)
        if api and response.status_code in (404, 405) and not _is_problem(response):
            return _as_problem(response)
        return response

    @staticmethod
    def _refused(request, status: int, title: str, detail: str):
        # Logged by Django as every 4xx response is (django.request, settings.LOGGING).
        if request.path.startswith("/api/"):
            return problem(status, title, detail, "ongeldige-invoer" if status == 400 else "te-groot")
        response = HttpResponseBadRequest(detail)
        response.status_code = status
        return response

    @staticmethod
    def _has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or "%00" in query.upper() or "\x00" in request.path:
            return True
        if request.method in ("POST", "PUT", "PATCH") and not request.content_type.startswith("multipart/"):
            body = request.body  # RequestDataTooBig beyond DATA_UPLOAD_MAX_MEMORY_SIZE
            if request.content_type == "application/x-www-form-urlencoded" and b"%00" in body.upper():
                return True
            return b"\x00" in body or b"\\u0000" in body
        return False


def _is_problem(response) -> bool:
    return response.get("Content-Type", "").startswith(("application/problem+json", "application/json"))


def _as_problem(response):
    if response.status_code == 404:
        return problem(404, _("Niet gevonden"), _("Deze bron bestaat niet in de API."), "niet-gevonden")
    allowed = response.get("Allow", "")
    answer = problem(405, _("Methode niet toegestaan"),
                     _("Deze bron kent deze methode niet; wel: %s.") % allowed if allowed else "",
                     "methode-niet-toegestaan")  # fmt: skip
    if allowed:
        answer["Allow"] = allowed
    return answer
