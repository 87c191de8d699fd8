"""Registering Woningbouwimpuls applications and assessing a window (REST API and web page)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bouwregie.instruments import wbi_rows, woningbouwimpuls
from bouwregie.instruments.models import WbiApplication
from bouwregie.instruments.wbi_file import application_from_row


def register(fields: dict, user) -> WbiApplication:
    """Check every field (ValueError with the reason otherwise) and store the application as submitted."""
    clean = {str(k): "" if v is None else v for k, v in fields.items()}
    app = application_from_row(clean)
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


def assess(window: str, budget_cents: int) -> dict:
    apps = [application_from_row(a.fields) for a in WbiApplication.objects.filter(window=window)]
    if not apps:
        raise ValueError(_("Tijdvak %s heeft geen aanvragen.") % window)
    assessed = woningbouwimpuls.assess_window(apps, budget_cents)
    rows = [wbi_rows.as_dict(a) for a in assessed]
    return {"window": window, "budget_cents": budget_cents, "granted_cents": sum(r["granted_cents"] for r in rows),
            "regulation": assessed[0].regulation, "applications": rows}  # fmt: skip
