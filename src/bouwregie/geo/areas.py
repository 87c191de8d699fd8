"""What users write for an area: NL, a province, a municipality or a region — resolved in one place.

A name that is both a province and a municipality (Utrecht, Groningen) is refused with advice: an
agreement or a monitor for the wrong one is worse than a question."""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from bouwregie.geo import reference
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityNotFound, normalise_name

MUNICIPALITY_CODE = re.compile(r"GM\d{4}")


class UnknownArea(ValueError):
    pass


@dataclass(frozen=True)
class Area:
    kind: str  # nl, provincie, gemeente, regio
    code: str
    name: str
    municipalities: frozenset = frozenset()
    projects: frozenset = frozenset()

    def as_dict(self) -> dict:
        return {"kind": self.kind, "code": self.code, "name": self.name}


@lru_cache(maxsize=1)
def _province_names() -> tuple[tuple[dict, frozenset], ...]:
    """Each province (shipped reference data) with the normalised spellings of its name."""
    return tuple(
        (row, frozenset(normalise_name(n) for n in [row["provincienaam"], *filter(None, row["varianten"].split("|"))]))
        for row in reference.read_provinces()
    )


def _province(text: str):
    key = normalise_name(text)
    for row, names in _province_names():
        if text.upper() == row["provinciecode"] or key in names:
            return row
    return None


def resolve_regions(codes: list[str], on=None) -> dict[str, Area]:
    """resolve_area of several region codes in a fixed number of queries (the regions, their municipalities,
    their projects, and the woondeal members as agreed on `on`), whatever their number: the provincial
    dashboard's regions (issue #19). Codes that name no region are left out; resolve_area tells why."""
    from bouwregie.geo.models import Region
    from bouwregie.woondeals.regions import members_on_date_many

    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    ids = [r.id for r in regions.values()]
    municipalities: dict[int, set] = {i: set() for i in ids}
    for region_id, code in Region.municipalities.through.objects.filter(region_id__in=ids).values_list(
        "region_id", "municipality_id"
    ):
        municipalities[region_id].add(code)
    projects: dict[int, set] = {i: set() for i in ids}
    for region_id, project_id in Region.projects.through.objects.filter(region_id__in=ids).values_list(
        "region_id", "project_id"
    ):
        projects[region_id].add(project_id)
    woondeal = [r.code for r in regions.values() if r.kind == Region.Kind.WOONDEAL]
    agreed = members_on_date_many(woondeal, on) if on is not None and woondeal else {}
    return {
        code: Area(
            "regio",
            r.code,
            r.name,
            frozenset(municipalities[r.id] if agreed.get(code) is None else agreed[code]),
            frozenset(projects[r.id]),
        )  # fmt: skip
        for code, r in regions.items()
    }


def resolve_area(spec: str, on=None) -> Area:
    """The Area `spec` names. `on` (a date): for a woondeal region, its members as agreed on that day
    (woondeals.regions.members_on_date) instead of today's — a peiling's figures use its reference date."""
    from bouwregie.geo.models import Municipality, Region
    from bouwregie.projects.services import matcher

    text = str(spec or "").strip()
    if text.upper() == "NL" or normalise_name(text) == "nederland":
        return Area("nl", "NL", "Nederland")
    # Codes, as machine clients send them, need no name matching (a current GM code, or a PV code). A
    # region's code never has the form of a municipality's (geo.models.Region.code refuses it).
    if MUNICIPALITY_CODE.fullmatch(text.upper()):
        found = Municipality.objects.filter(code=text.upper()).values_list("code", "name").first()
        if found:
            return Area("gemeente", found[0], found[1], frozenset({found[0]}))
    region = Region.objects.filter(code=text).first()
    if region:
        codes = None
        if on is not None and region.kind == region.Kind.WOONDEAL:
            from bouwregie.woondeals.regions import members_on_date

            codes = members_on_date(region.code, on)
        if codes is None:
            codes = region.municipalities.values_list("code", flat=True)
        return Area("regio", region.code, region.name, frozenset(codes),
                    frozenset(region.projects.values_list("id", flat=True)))  # fmt: skip
    province = None if text.lower().startswith("gemeente ") else _province(text)
    if province and text.upper() == province["provinciecode"]:
        return _province_area(province)
    municipality = None
    if not normalise_name(text).startswith("provincie "):
        try:
            municipality = matcher().resolve(text)
        except (MunicipalityNotFound, AmbiguousMunicipality) as error:
            if province is None:
                raise UnknownArea(
                    _("Onbekend gebied '%(area)s': gebruik NL, een provincie (PV27), een gemeente of een regiocode. "
                      "%(detail)s") % {"area": text, "detail": error}
                ) from None  # fmt: skip
    if province and municipality and text.upper() != province["provinciecode"] and not text.upper().startswith("GM"):
        raise UnknownArea(
            _("'%(area)s' is zowel een provincie als een gemeente; schrijf %(pv)s of 'provincie %(name)s', "
              "of %(gm)s of 'gemeente %(name)s'.")
            % {"area": text, "pv": province["provinciecode"], "gm": municipality.code,
               "name": province["provincienaam"]}
        )  # fmt: skip
    if province and municipality is None:
        return _province_area(province)
    return Area("gemeente", municipality.code, municipality.name, frozenset({municipality.code}))


def _province_area(province: dict) -> Area:
    from bouwregie.geo.models import Municipality

    codes = frozenset(Municipality.objects.filter(province_id=province["provinciecode"]).values_list("code", flat=True))
    return Area("provincie", province["provinciecode"], province["provincienaam"], codes)
