"""What every domain's router shares (issue #22): the error responses it documents, who is signed in and what
their organisation may do, the strict request body, and the limits of a parameter. A router imports these from
here; the assembly (api/v1.py) adds the routers, and api/errors.py turns exceptions into problem+json."""

from ninja import Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.api.auth import SIGNED_IN

__all__ = [
    "ERRORS", "FINITE", "MAX_OFFSET", "NO_NUL", "OPEN_ERRORS", "SIGNED_IN", "Input", "InvalidParameter", "Problem",
    "listed_part",
]  # fmt: skip

# A float parameter is a finite number: `months=inf` answered Infinity, which is no JSON (issue #16).
FINITE = {"allow_inf_nan": False}
NO_NUL = r"^[^\x00]*$"  # a multipart body's text fields (the middleware checks every other body)
MAX_OFFSET = 2**31 - 1  # an offset beyond int64 was a server error (found by schemathesis on `page`)


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None
    invalidParams: list[dict] | None = None  # noqa: N815 (the NL API Design Rules spell it so)


OPEN_ERRORS = {400: Problem, 404: Problem}
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem}


class Input(Schema):
    """A request body: a field this API does not know is refused (400 naming it), not silently ignored — a
    misspelt field would otherwise answer 200 and change nothing (issue #16)."""

    model_config = ConfigDict(extra="forbid")


class InvalidParameter(ValueError):
    """One parameter with a value outside its closed list (checked in the handler when the list is data)."""

    def __init__(self, name: str, value: str, allowed):
        self.name = name
        super().__init__(f"Onbekende waarde '{value}' voor {name}; toegestaan: {', '.join(allowed)}.")


def principal(request) -> policy.Principal:
    return policy.principal_for(getattr(request, "user", None))


def require_projects(request) -> policy.Principal:
    who = principal(request)
    if not policy.can_read_projects(who):
        raise HttpError(403, "Uw account hoort bij geen organisatie met inzage in projecten.")
    return who


def listed_part(request, response, rows, limit: int, offset: int) -> list:
    """Rows `offset` to `offset + limit` of a queryset, and on the response how many there are in all
    (X-Total-Count) and, if more follow, the link to them (Link: <…>; rel="next", RFC 8288): a list of the
    newest `limit` never ends silently (issue #21)."""
    total = rows.count()
    response["X-Total-Count"] = str(total)
    if offset + limit < total:
        query = request.GET.copy()
        query["offset"], query["limit"] = str(offset + limit), str(limit)
        response["Link"] = f'<{request.path}?{query.urlencode()}>; rel="next"'
    return list(rows[offset : offset + limit])
