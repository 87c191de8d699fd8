"""Registering Woningbouwimpuls applications and assessing a window (REST API and web page)."""

from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bouwregie.instruments import wbi_file, wbi_rows, woningbouwimpuls
from bouwregie.instruments.models import WbiApplication
from bouwregie.limits import too_long


def register(fields: dict, user) -> WbiApplication:
    """Check every field (ValueError with the reason otherwise) and store the application as submitted."""
    clean = {str(k): "" if v is None else v for k, v in fields.items()}
    app = wbi_file.application_from_row(clean)
    for column, name, value in (("id", "application_id", app.id), ("tijdvak", "window", app.window),
                                ("gemeente", "municipality", app.municipality)):  # fmt: skip
        if message := too_long(value, WbiApplication, name, _("Kolom %s") % column):
            raise ValueError(message)
    try:
        with transaction.atomic():
            return WbiApplication.objects.create(
                window=app.window,
                application_id=app.id,
                municipality=app.municipality,
                fields=clean,
                submitted_by=user,
            )
    except IntegrityError:
        raise ValueError(
            _("Aanvraag %(id)s staat al in tijdvak %(window)s.") % {"id": app.id, "window": app.window}
        ) from None


def register_file(path: Path, user, may_submit: Callable[[str], bool]) -> list[WbiApplication]:
    """Every application of a file (CSV or JSON, the columns of docs/instruments.md), or none: a wrong value,
    an id already in its window or a municipality the user may not submit for refuses the whole file."""
    found = wbi_file.read_rows(path)
    refused = sorted({app.municipality for _row, app in found if not may_submit(app.municipality)})
    if refused:
        raise ValueError(_("U mag geen aanvragen indienen voor gemeente %s.") % ", ".join(refused))
    with transaction.atomic():
        return [register(row, user) for row, _app in found]


def assess(window: str, budget_cents: int) -> dict:
    apps = [wbi_file.application_from_row(a.fields) for a in WbiApplication.objects.filter(window=window)]
    if not apps:
        raise ValueError(_("Tijdvak %s heeft geen aanvragen.") % window)
    assessed = woningbouwimpuls.assess_window(apps, budget_cents)
    rows = [wbi_rows.as_dict(a) for a in assessed]
    return {"window": window, "budget_cents": budget_cents, "granted_cents": sum(r["granted_cents"] for r in rows),
            "regulation": assessed[0].regulation, "applications": rows}  # fmt: skip


def applications_of(municipalities: list[str]) -> list[dict]:
    """The stored applications of these municipalities, each checked on its own: the failing rules and the
    maximum contribution (the ranking and the tranche are the Rijk's, per window)."""
    rows = []
    for stored in WbiApplication.objects.filter(municipality__in=municipalities).order_by("-window", "application_id"):
        app = wbi_file.application_from_row(stored.fields)
        rows.append({**wbi_rows.as_dict(woningbouwimpuls.assess_one(app)), "requested_cents": app.requested_cents,
                     "submitted": stored.created_at})  # fmt: skip
    return rows
