"""A small world with one user per role, shared by the API and web permission tests (one policy, one matrix)."""

from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model

from bouwregie.accounts import tokens
from bouwregie.accounts.models import Membership, Organisation
from bouwregie.projects import services
from bouwregie.projects.rules import MilestoneData as M
from bouwregie.sok import store as sok_store
from bouwregie.woontop import store as woontop_store

from .builders import create

ROLES = ("anoniem", "zonder_organisatie", "rijk", "provincie_utrecht", "gemeente_utrecht", "gemeente_amsterdam",
         "corporatie", "beheerder")  # fmt: skip


def build_world() -> dict:
    """Two projects (Utrecht with open-book figures, Amsterdam), peiling 2025-Q2 closed, and a user per role
    with an API key; `users` for signing in to the web pages."""
    utrecht = create(
        "Merwedekanaalzone",
        "GM0344",
        plan_status="1A",
        open_book={"grondexploitatie": -1_200_000},
        homes={"sociale_huur": {"gestapeld": 40}},
        milestones=(M("start_bouw", actual=date(2025, 3, 1)), M("oplevering", planned=date(2027, 6, 1))),
    )
    amsterdam = create("Sluisbuurt", "GM0363", plan_status="3", homes={"dure_koop": {"gestapeld": 90}})
    services.close_peiling("2025-Q2", author="test", now=datetime(2025, 7, 15, tzinfo=UTC))
    sok_store.load(sok_store.SEED_2024, author="test")  # the SOK 2024 (seed 001) and the Woontop list (seed 004)
    woontop_store.load(author="test")
    users, accounts = {}, {}
    seats = {
        "zonder_organisatie": None,
        "rijk": ("Ministerie", "rijk", None, None, "lezer"),
        "provincie_utrecht": ("Provincie Utrecht", "provincie", "PV26", None, "tafelbeheerder"),
        "gemeente_utrecht": ("Gemeente Utrecht", "gemeente", "PV26", "GM0344", "bewerker"),
        "gemeente_amsterdam": ("Gemeente Amsterdam", "gemeente", "PV27", "GM0363", "bewerker"),
        "corporatie": ("Woningstichting", "corporatie", None, None, "lezer"),
        "beheerder": ("Platform", "other", None, None, "beheerder"),
    }  # fmt: skip
    for name, seat in seats.items():
        user = seat_user(name, *seat) if seat else get_user_model().objects.create_user(name)
        users[name] = tokens.issue(user, "test")
        accounts[name] = user
    return {"keys": users, "users": accounts, "utrecht": utrecht.code, "amsterdam": amsterdam.code}


def seat_user(username, organisation, kind, province, municipality, role):
    """A user (no password: keys or force_login only, and no slow hashing) with one seat in a new organisation."""
    user = get_user_model().objects.create_user(username)
    org = Organisation.objects.create(name=organisation, kind=kind, province_id=province, municipality_id=municipality)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


def sok_written() -> dict[str, int]:
    """How many rows the SOK administration holds per kind of booking: a refused write leaves this as it was."""
    from bouwregie.sok.models import AnnualAccount, BudgetChange, Expenditure, Invoice

    return {m.__name__: m.objects.count() for m in (Expenditure, BudgetChange, Invoice, AnnualAccount)}


# Every write of the SOK administration, in an order that works for one who may write (the account closes the
# year, so it comes last): (API path under /api/v1/sok/years/2024, JSON body, web form for POST /sok/2024).
SOK_WRITES = [
    (
        "expenditures",
        {"line": "Communicatie", "amount_cents": 100, "spent_on": "2024-03-01", "description": "Drukwerk"},
        {"actie": "uitgave", "post": "Communicatie", "bedrag": "1,00", "datum": "2024-03-01", "omschrijving": "x"},
    ),
    (
        "budget-changes",
        {"deltas_cents": {"Onvoorzien": 100}, "decided_on": "2024-11-20", "decision": "PSG", "reason": "r"},
        {"actie": "wijziging", "besluitdatum": "2024-11-20", "besluit": "PSG", "reden": "r", "wijziging-5": "1,00"},
    ),
    ("invoices", {"issued_on": "2024-02-01"}, {"actie": "facturen", "datum": "2024-02-01"}),
    ("annual-accounts", {"sent_on": "2025-02-20"}, {"actie": "verantwoording", "datum": "2025-02-20"}),
]
