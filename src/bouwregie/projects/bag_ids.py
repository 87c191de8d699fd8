"""Explicit BAG ids on a project (issue #18): which verblijfsobjecten or panden the project is about.

A BAG identificatie (objectidentificatie in the Catalogus BAG 2018, §3.1 'Identificatie' and bijlage
'Objecttypecodes'; LV-BAG 2.0 extracts spell it the same way) is 16 digits: the four-digit CBS code of the
municipality that issued it, two digits for the object type — 01 verblijfsobject, 02 ligplaats, 03 standplaats,
10 pand, 20 nummeraanduiding, 30 openbare ruimte — and a ten-digit serial number. A project names
verblijfsobjecten (01) or panden (10); a pand stands for all its verblijfsobjecten (registraties.linking).

The municipality part is checked against every CBS municipality code since 1970 (geo/data/
gemeentelijke_indeling.csv): an id keeps the code of the municipality that issued it, also after a
herindeling, so former codes are valid. Pure functions; the importer, the web form and the API share them.
"""

import re
from functools import cache

from django.utils.translation import gettext as _

VERBLIJFSOBJECT, PAND = "01", "10"
OBJECT_TYPES = {VERBLIJFSOBJECT: "verblijfsobject", PAND: "pand"}
SEPARATORS = re.compile(r"[;,|\s]+")
# The URI form of PDOK and the BAG viewer: NL.IMBAG.Verblijfsobject.0221010000000001 → the id itself.
_PREFIX = re.compile(r"^NL\.IMBAG\.[A-Za-z]+\.", re.IGNORECASE)


@cache
def municipality_codes() -> frozenset[str]:
    """Every four-digit CBS municipality code since 1970 (former municipalities included)."""
    from bouwregie.geo.reference import read_historical_municipalities

    return frozenset(row["gemeentecode"].zfill(4) for row in read_historical_municipalities())


def problem(value: str) -> str | None:
    """Why `value` is not a verblijfsobject or pand identificatie, in Dutch; None when it is one."""
    text = str(value)
    if not (len(text) == 16 and text.isascii() and text.isdigit()):
        return _("BAG-id '%s' is geen identificatie van 16 cijfers.") % text
    if text[:4] not in municipality_codes():
        return _("BAG-id '%(id)s' begint niet met een gemeentecode (%(code)s is geen CBS-gemeentecode).") % {
            "id": text, "code": text[:4]}  # fmt: skip
    if text[4:6] not in OBJECT_TYPES:
        return _("BAG-id '%(id)s' heeft objecttype %(type)s; alleen verblijfsobjecten (01) en panden (10) horen bij "
                 "een project.") % {"id": text, "type": text[4:6]}  # fmt: skip
    return None


def object_type(value: str) -> str:
    """'verblijfsobject' or 'pand' for a valid id."""
    return OBJECT_TYPES[str(value)[4:6]]


def parse(value) -> tuple[tuple[str, ...], list[str], list[str]]:
    """(ids, errors, warnings) for one cell or form field: ids separated by ';', ',', '|' or whitespace, in the
    order given without repeats. A number (a spreadsheet that took the id for one) gets its leading zeros back,
    with a warning; a repeated id is kept once, with a warning. Every id that is not valid is an error."""
    if value is None:
        return (), [], []
    warnings: list[str] = []
    if isinstance(value, bool):
        return (), [_("'%s' is geen BAG-id.") % value], []
    if isinstance(value, float):
        if not value.is_integer():
            return (), [_("BAG-id '%s' is geen identificatie van 16 cijfers.") % value], []
        value = int(value)
    if isinstance(value, int):
        text = str(value)
        if 0 < len(text) < 16:
            warnings.append(_("BAG-id %(value)s stond als getal in het bestand; voorloopnullen aangevuld tot %(id)s.")
                            % {"value": text, "id": text.zfill(16)})  # fmt: skip
            text = text.zfill(16)
        value = text
    ids: list[str] = []
    errors: list[str] = []
    for part in SEPARATORS.split(str(value).strip()):
        if not part:
            continue
        candidate = _PREFIX.sub("", part)
        if (reason := problem(candidate)) is not None:
            errors.append(reason)
        elif candidate in ids:
            warnings.append(_("BAG-id %s staat er meer dan eens in; één keer opgeslagen.") % candidate)
        else:
            ids.append(candidate)
    return tuple(ids), errors, warnings


def canonical(ids) -> tuple[str, ...]:
    """One spelling of a set of ids: sorted, each once."""
    return tuple(sorted(set(ids)))
