"""Woning events derived from BAG histories: pure functions over one object's voorkomens (plain data, no
database), so every rule below is testable by hand.

Status values (Catalogus BAG 2018, §7.3 Pand and §7.4 Verblijfsobject, unchanged in LV-BAG 2.0):

Pand: "Bouwvergunning verleend", "Niet gerealiseerd pand", "Bouw gestart", "Pand in gebruik (niet
ingemeten)", "Pand in gebruik", "Verbouwing pand", "Sloopvergunning verleend", "Pand gesloopt", "Pand buiten
gebruik", "Pand ten onrechte opgevoerd".

Verblijfsobject: "Verblijfsobject gevormd", "Niet gerealiseerd verblijfsobject", "Verblijfsobject in gebruik
(niet ingemeten)", "Verblijfsobject in gebruik", "Verbouwing verblijfsobject", "Verblijfsobject
ingetrokken", "Verblijfsobject buiten gebruik", "Verblijfsobject ten onrechte opgevoerd".

Rules (issue #18; the monitor's own milestones follow the same order: permit → start → delivery):

1. Only *active* voorkomens count. A voorkomen with a `tijdstipInactief` was withdrawn by a correction (BAG
   2.0, Historie: "inactief" = no longer part of the object's history); it stays stored, but no event is
   read from it. Active voorkomens are ordered by beginGeldigheid, then voorkomenidentificatie (identifiers
   may have gaps and registration times are not always chronological).
2. An object whose last active voorkomen is "… ten onrechte opgevoerd" never existed: no events, the status
   is kept. A pand that was "ten onrechte opgevoerd" gives its verblijfsobjecten no events either.
3. A verblijfsobject is a woning when any active voorkomen has gebruiksdoel "woonfunctie".
4. Delivery = beginGeldigheid of the first active voorkomen with status "Verblijfsobject in gebruik" or
   "Verblijfsobject in gebruik (niet ingemeten)" and gebruiksdoel woonfunctie; when the VBO history has no
   such voorkomen while its pand is in use, the pand's first "Pand in gebruik" / "(niet ingemeten)".
5. Permit = its pand's first "Bouwvergunning verleend", or else the VBO's first "Verblijfsobject gevormd"
   (a VBO is formed when the permit is granted). Start = its pand's first "Bouw gestart" (the VBO has no
   such status). Pand events count for the VBO only when the VBO was registered before its pand was first in
   use (or the pand never was): a VBO formed later in an existing pand (splitting, transformation) did not
   start with that pand's construction.
6. Demolition = the VBO's first "Verblijfsobject ingetrokken", or else its pand's first "Pand gesloopt".
   Not realised = the VBO's first "Niet gerealiseerd verblijfsobject", or else its pand's "Niet
   gerealiseerd pand".
7. Origin of the delivery, for counting new build as CBS does ("Nieuwbouw" beside "Overige toevoeging",
   StatLine 81955NED): "nieuwbouw" when a construction stage (VBO gevormd, or its pand's permit or start under
   rule 5) precedes the delivery and the VBO was never in use without woonfunctie; "toevoeging" when it was
   in use with another gebruiksdoel first (transformation) or was formed in a pand already in use
   (splitting); "bestaand" when it was first registered already in use with no construction stage — the BAG's
   initial fill of 2009–2011 — whose delivery date is the registration, not a completion.
8. Several panden: each event takes the earliest date over the panden whose events count (rule 5).
Dates are ISO strings (YYYY-MM-DD) as in the extract; they compare as dates.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter

WOONFUNCTIE = "woonfunctie"
PAND_PERMIT = "Bouwvergunning verleend"
PAND_STARTED = "Bouw gestart"
PAND_IN_USE = ("Pand in gebruik", "Pand in gebruik (niet ingemeten)")
PAND_DEMOLISHED = "Pand gesloopt"
PAND_NOT_REALISED = "Niet gerealiseerd pand"
PAND_WRONG = "Pand ten onrechte opgevoerd"
VBO_FORMED = "Verblijfsobject gevormd"
VBO_IN_USE = ("Verblijfsobject in gebruik", "Verblijfsobject in gebruik (niet ingemeten)")
VBO_WITHDRAWN = "Verblijfsobject ingetrokken"
VBO_NOT_REALISED = "Niet gerealiseerd verblijfsobject"
VBO_WRONG = "Verblijfsobject ten onrechte opgevoerd"
PAND_STATUSES = (PAND_PERMIT, PAND_NOT_REALISED, PAND_STARTED, *PAND_IN_USE, "Verbouwing pand",
                 "Sloopvergunning verleend", PAND_DEMOLISHED, "Pand buiten gebruik", PAND_WRONG)  # fmt: skip
VBO_STATUSES = (VBO_FORMED, VBO_NOT_REALISED, *VBO_IN_USE[::-1], "Verbouwing verblijfsobject", VBO_WITHDRAWN,
                "Verblijfsobject buiten gebruik", VBO_WRONG)  # fmt: skip
ORIGINS = ("nieuwbouw", "toevoeging", "bestaand")
_ORDER = attrgetter("begin", "voorkomen")


@dataclass(frozen=True, slots=True)
class PandEvents:
    """A pand's first date of each event (None: not in its active history)."""

    identificatie: str
    permit: str | None = None
    started: str | None = None
    in_use: str | None = None
    demolished: str | None = None
    not_realised: str | None = None
    wrongly_registered: bool = False
    status_now: str = ""


@dataclass(frozen=True, slots=True)
class Woning:
    """The events of one verblijfsobject with a woonfunctie (the BagWoning row, without where it is stored)."""

    identificatie: str
    status_now: str
    pand_ids: tuple
    permit_date: str | None = None
    start_date: str | None = None
    delivery_date: str | None = None
    demolition_date: str | None = None
    not_realised_date: str | None = None
    origin: str = ""
    x: float | None = None
    y: float | None = None


def active(voorkomens: Iterable) -> list:
    """Rule 1: the voorkomens without tijdstipInactief, by beginGeldigheid then voorkomenidentificatie."""
    history = [v for v in voorkomens if not v.inactief]
    history.sort(key=_ORDER)
    return history


def _first(history: list, statuses) -> str | None:
    for v in history:
        if v.status in statuses:
            return v.begin
    return None


def pand_events(voorkomens: Iterable) -> PandEvents | None:
    """The events of one pand from all its voorkomens (rules 1, 2); None when none is active."""
    history = active(voorkomens)
    if not history:
        return None
    last = history[-1]
    if last.status == PAND_WRONG:
        return PandEvents(last.identificatie, wrongly_registered=True, status_now=last.status)
    return PandEvents(
        last.identificatie,
        permit=_first(history, (PAND_PERMIT,)),
        started=_first(history, (PAND_STARTED,)),
        in_use=_first(history, PAND_IN_USE),
        demolished=_first(history, (PAND_DEMOLISHED,)),
        not_realised=_first(history, (PAND_NOT_REALISED,)),
        status_now=last.status,
    )


def _earliest(values) -> str | None:
    present = [v for v in values if v]
    return min(present) if present else None


def woning(voorkomens: Iterable, panden: Mapping) -> Woning | None:
    """The events of one verblijfsobject (all its voorkomens) given its panden's events (`panden`: pand
    identificatie → PandEvents; a pand missing from it gives no events). None when it is not a woning
    (rule 3) or has no active voorkomen."""
    history = active(voorkomens)
    if not history or not any(WOONFUNCTIE in v.gebruiksdoelen for v in history):
        return None
    last = history[-1]
    pand_ids = tuple(dict.fromkeys(p for v in history for p in v.pand_ids))
    located = next((v for v in reversed(history) if v.x is not None), last)
    base = {"identificatie": last.identificatie, "status_now": last.status, "pand_ids": pand_ids,
            "x": located.x, "y": located.y}  # fmt: skip
    if last.status == VBO_WRONG:
        return Woning(**base)
    known = [panden[p] for p in pand_ids if p in panden]
    if any(p.wrongly_registered for p in known):
        return Woning(**base)
    first_registered = history[0].begin
    # Rule 5: pand events count only when the VBO existed before its pand was first in use.
    own = [p for p in known if p.in_use is None or first_registered <= p.in_use]
    formed = _first(history, (VBO_FORMED,))
    permit = _earliest(p.permit for p in own) or formed
    start = _earliest(p.started for p in own)
    delivery = next((v.begin for v in history if v.status in VBO_IN_USE and WOONFUNCTIE in v.gebruiksdoelen), None)
    if delivery is None and not any(v.status in VBO_IN_USE for v in history):
        delivery = _earliest(p.in_use for p in known)
    demolition = _first(history, (VBO_WITHDRAWN,)) or _earliest(p.demolished for p in known)
    not_realised = _first(history, (VBO_NOT_REALISED,)) or _earliest(p.not_realised for p in known)
    origin = ""
    if delivery:
        used_otherwise = any(
            v.status in VBO_IN_USE and WOONFUNCTIE not in v.gebruiksdoelen and v.begin <= delivery for v in history
        )
        split = formed is not None and any(p.in_use and p.in_use < formed for p in known)
        stage = [d for d in (formed, permit, start) if d and d <= delivery]
        if used_otherwise or split:
            origin = "toevoeging"
        elif stage:
            origin = "nieuwbouw"
        else:
            origin = "bestaand"
    return Woning(**base, permit_date=permit, start_date=start, delivery_date=delivery, demolition_date=demolition,
                  not_realised_date=not_realised, origin=origin)  # fmt: skip
