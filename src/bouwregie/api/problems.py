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
