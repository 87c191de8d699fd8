"""REST API for the Woontop tracker (/api/v1/woontop): the national table is open (the agreements are public),
statuses are set by the Rijk (accounts.policy.can_edit_woontop)."""

from datetime import date
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.api.problems import refuse_unknown_parameters
from bouwregie.woontop import store

TEXT = {"pattern": r"^[^\x00]*$"}


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    quarter: str = Field(pattern=r"^\d{4}-Q[1-4]$")
    status: Literal["op_schema", "te_laat", "gereed", "vervallen"]
    note: str = Field("", max_length=2000, **TEXT)


class MilestoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    afspraak: str = Field(max_length=10, **TEXT)
    code: str = Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    deadline: date
    term: str = Field(min_length=1, max_length=200, **TEXT)
    text: str = Field(min_length=1, max_length=2000, **TEXT)
    source: str = Field(min_length=1, max_length=300, **TEXT)
    page: int | None = Field(None, ge=1, le=10000)


def _require_rijk(request) -> None:
    if not policy.can_edit_woontop(policy.principal_for(request.user)):
        raise HttpError(403, "Alleen het Rijk houdt de Woontop-afspraken bij.")


def _rijk_first(auth):
    """The same authentication (same class name, so the OpenAPI security scheme stays the same), followed at once by
    the Rijk check: django-ninja authenticates before it validates the body, so a user who may not write hears 403
    whatever the body holds (issue #23: an invalid milestone code told a non-Rijk user 400)."""
    base = type(auth)

    def __call__(self, request):
        user = base.__call__(self, request)
        if user:
            _require_rijk(request)
        return user

    return type(base.__name__, (base,), {"__call__": __call__, "__module__": base.__module__})()


def build_router(signed_in, errors) -> Router:
    router = Router(tags=["woontop"])
    rijk = [_rijk_first(auth) for auth in signed_in]

    @router.get(
        "/afspraken",
        response={200: dict, **errors},
        summary="De landelijke tafel: status per afspraak en mijlpaal in een kwartaal (?kwartaal=2025-Q2)",
    )
    def afspraken(request, kwartaal: str | None = Query(None, pattern=r"^\d{4}-Q[1-4]$")):
        refuse_unknown_parameters(request, "kwartaal")
        return store.table(kwartaal)

    @router.post(
        "/milestones",
        response={201: dict, **errors},
        auth=rijk,
        summary="Een mijlpaal toevoegen met eigen bron (Rijk)",
    )
    def add_milestone(request, body: MilestoneIn):
        try:
            m = store.add_milestone(**body.model_dump(), author=request.user.get_username())
        except store.WoontopError as error:
            raise HttpError(400, str(error)) from None
        return Status(201, {"code": m.code, "afspraak": body.afspraak, "deadline": m.deadline.isoformat()})

    @router.post(
        "/milestones/{code}/statuses",
        response={201: dict, **errors},
        auth=rijk,
        summary="De status van een mijlpaal in een kwartaal vastleggen (Rijk)",
    )
    def set_status(request, code: str, body: StatusIn):
        try:
            s = store.set_status(code, body.quarter, body.status, body.note, request.user.get_username())
        except store.WoontopError as error:
            raise HttpError(400, str(error)) from None
        return Status(201, {"milestone": code, "quarter": s.quarter, "status": s.status, "set_by": s.set_by})

    return router
