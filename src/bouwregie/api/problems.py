"""Errors as `application/problem+json` (RFC 9457), as the NL API Design Rules require, in Dutch."""

import json

from django.http import HttpResponse

TYPES = "https://bouwregie.nl/problemen/"


def problem(status: int, title: str, detail: str = "", kind: str = "", **extra) -> HttpResponse:
    body = {"type": TYPES + (kind or str(status)), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json")


def refuse_unknown_parameters(request, *allowed: str) -> None:
    """NL API Design Rules: a query parameter the endpoint does not know is a 400 naming it, not silently ignored."""
    from ninja.errors import HttpError

    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        known = ", ".join(allowed) or "geen"
        raise HttpError(400, f"Onbekende parameter(s): {', '.join(unknown)}; bekend: {known}.")


# The OpenAPI description of an endpoint that answers with a file (CSV or Excel) instead of JSON.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "Het bestand",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}
