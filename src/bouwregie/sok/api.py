"""REST API for the SOK administration (/api/v1/sok): read by the parties (accounts.policy.can_read_sok), booked by
the penvoerder (can_edit_sok). Amounts are whole euro cents."""

from datetime import date
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import ConfigDict

from bouwregie.accounts import policy
from bouwregie.api.problems import FILE_RESPONSE, refuse_unknown_parameters
from bouwregie.sok import store
from bouwregie.web.downloads import table_download

TEXT = {"pattern": r"^[^\x00]*$"}


class ExpenditureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    line: str = Field(max_length=200, **TEXT)
    amount_cents: int = Field(gt=0, le=10**15)
    spent_on: date
    description: str = Field(min_length=1, max_length=300, **TEXT)


class BudgetChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    deltas_cents: dict[str, int]
    decided_on: date
    decision: str = Field(min_length=1, max_length=300, **TEXT)
    reason: str = Field("", max_length=300, **TEXT)


class InvoicesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    issued_on: date
    due_on: date | None = None


class AccountIn(Schema):
    model_config = ConfigDict(extra="forbid")
    sent_on: date
    note: str = Field("", max_length=300, **TEXT)


def _jaarplan(year: int):
    try:
        return store.jaarplan_for(year)
    except store.SokError as error:
        raise Http404(str(error)) from None


def _allowed(request, year: int, edit: bool = False):
    jaarplan = _jaarplan(year)
    who = policy.principal_for(request.user)
    parties = set(jaarplan.agreement.parties.values_list("province", flat=True))
    if not policy.can_read_sok(who, parties):
        raise HttpError(403, "De SOK-administratie is voor de partijen van de samenwerkingsovereenkomst.")
    if edit and not policy.can_edit_sok(who, jaarplan.agreement.penvoerder):
        raise HttpError(403, "Alleen de penvoerder boekt in de SOK-administratie.")
    return jaarplan


def _plain(o: dict) -> dict:
    """The overview with dates as ISO text and fte as text (exact decimals), ready for JSON."""
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_plain(v) for v in o]
    if isinstance(o, date):
        return o.isoformat()
    if hasattr(o, "as_tuple"):  # Decimal
        return str(o)
    return o


def build_router(signed_in, errors) -> Router:
    router = Router(tags=["sok"], auth=signed_in)
    # 409: the year's account is recorded, the year is closed; or the year's invoices exist already (issue #23)
    closed = {**errors, 409: errors[400]}

    @router.get(
        "/years/{year}",
        response={200: dict, **errors},
        summary="Jaarplan, begroting, bijdragen, facturen, uitgaven en terugbetaling van één jaar",
    )
    def year(request, year: int):
        refuse_unknown_parameters(request)
        return _plain(store.year_overview(_allowed(request, year)))

    @router.get(
        "/years/{year}/export",
        response={200: None, **errors},
        summary="Export voor de Processtuurgroep: ?meeting=begroting of jaarafsluiting, ?format=csv of xlsx",
        openapi_extra=FILE_RESPONSE,
    )
    def export(
        request, year: int, meeting: Literal["begroting", "jaarafsluiting"], format: Literal["csv", "xlsx"] = "csv"
    ):
        refuse_unknown_parameters(request, "meeting", "format")
        o = store.year_overview(_allowed(request, year))
        rows = store.begroting_rows(o) if meeting == "begroting" else store.jaarafsluiting_rows(o)
        return table_download(rows, f"sok-{year}-{meeting}", format)

    def _booked(call):
        try:
            return call()
        except (store.YearClosed, store.InvoicesExist) as error:
            raise HttpError(409, str(error)) from None
        except store.SokError as error:
            raise HttpError(400, str(error)) from None

    @router.post("/years/{year}/expenditures", response={201: dict, **closed}, summary="Een uitgave boeken")
    def expenditure(request, year: int, body: ExpenditureIn):
        _allowed(request, year, edit=True)
        e = _booked(
            lambda: store.book_expenditure(
                year, body.line, body.amount_cents, body.spent_on, body.description, request.user.get_username()
            )
        )
        return Status(
            201,
            {"id": e.id, "line": body.line, "amount_cents": e.amount_cents, "warnings": store.overspend_warnings(e)},
        )

    @router.post(
        "/years/{year}/budget-changes",
        response={201: dict, **closed},
        summary="Een begrotingswijziging (besluit van de Processtuurgroep)",
    )
    def budget_change(request, year: int, body: BudgetChangeIn):
        _allowed(request, year, edit=True)
        made = _booked(
            lambda: store.change_budget(
                year,
                body.deltas_cents,
                body.decided_on,
                body.decision,
                request.user.get_username(),
                reason=body.reason,
            )
        )
        return Status(201, {"changes": len(made)})

    @router.post(
        "/years/{year}/invoices",
        response={201: dict, **closed},
        summary="Facturen van de penvoerder aan de andere partijen (bijdrage plus btw)",
    )
    def invoices(request, year: int, body: InvoicesIn):
        _allowed(request, year, edit=True)
        made = _booked(
            lambda: store.issue_invoices(year, body.issued_on, request.user.get_username(), due_on=body.due_on)
        )
        return Status(
            201,
            {
                "invoices": [
                    {
                        "number": i.number,
                        "issued_on": i.issued_on.isoformat(),
                        "due_on": i.due_on.isoformat() if i.due_on else None,
                        "net_cents": i.net_cents,
                        "vat_cents": i.vat_cents,
                        "total_cents": i.net_cents + i.vat_cents,
                        "vat_version": i.vat_version,
                    }
                    for i in made
                ]
            },
        )

    @router.post(
        "/years/{year}/annual-accounts",
        response={201: dict, **closed},
        summary="De verantwoording is verzonden (art. 6.5)",
    )
    def account(request, year: int, body: AccountIn):
        _allowed(request, year, edit=True)
        a = _booked(lambda: store.record_account(year, body.sent_on, request.user.get_username(), body.note))
        return Status(201, {"sent_on": a.sent_on.isoformat()})

    return router
