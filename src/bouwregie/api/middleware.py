"""Refuse NUL characters at the door: PostgreSQL cannot store or compare them in text, so a query string
or body carrying one ended as a server error deep in a query (found by the API contract test)."""

from django.http import HttpResponseBadRequest

from bouwregie.api.problems import problem

MESSAGE = "De invoer bevat een NUL-teken (0x00); dat kan niet worden verwerkt."


class RejectNulCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return problem(400, "Ongeldige invoer", MESSAGE, "ongeldige-invoer")
            return HttpResponseBadRequest(MESSAGE)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", "").upper():
            return True
        if "\x00" in request.path:
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            return b"\x00" in request.body or b"\\u0000" in request.body
        return False
