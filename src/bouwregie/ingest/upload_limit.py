"""Refuse a too large upload at the door, before its body is read (issue 16, fault 14).

Django reads a multipart body in full (into a temporary file) as soon as anything touches request.POST — the
CSRF check does, before any view — and FILE_UPLOAD_MAX_MEMORY_SIZE / DATA_UPLOAD_MAX_MEMORY_SIZE do not cap
files. So a 200 MB plan list was received completely before the form said "de grens is 50 MB". The
Content-Length header is the length Django will read (WSGIRequest reads no more than it; a request without
one has an empty body), so checking it first refuses every over-large request without reading a byte of it:
413 with a Dutch page, or problem+json under /api/. The largest body any page accepts is a plan list
(IMPORT_MAX_BYTES) plus its form fields; the exact file limit stays with the form (uploads.upload_problem).
"""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.api.problems import problem

log = logging.getLogger(__name__)

FORM_MARGIN = 1_000_000  # the multipart envelope and the other fields of an upload form: a few kB in practice


def largest_body() -> int:
    return settings.IMPORT_MAX_BYTES + FORM_MARGIN


class RefuseOversizedUploads:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > largest_body():
            return self.refused(request, length)
        return self.get_response(request)

    @staticmethod
    def refused(request, length: int):
        detail = _("Het bestand is %(size)s MB; de grens is %(limit)s MB. Er is niets ontvangen of opgeslagen.") % {
            "size": f"{length / 1_000_000:.1f}", "limit": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}"}  # fmt: skip
        if request.path.startswith("/api/"):
            return problem(413, _("Bestand te groot"), detail, "te-groot")
        try:
            response = render(request, "web/error.html", {"error_title": _("Bestand te groot"), "error_text": detail},
                              status=413)  # fmt: skip
        except Exception:  # the page needs the database and static files; the refusal must not
            log.exception("Foutpagina 'bestand te groot' niet te tonen")
            response = HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
        response["Connection"] = "close"  # the unread body is not worth waiting for
        return response
