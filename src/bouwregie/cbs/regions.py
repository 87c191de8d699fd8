"""CBS region codes → the municipality of 1 January 2025 (pure; from the shipped reference data in geo/data).

The CBS series of 81955NED start in 2012, so a file holds the codes of municipalities that have since merged.
Rule (docs/registraties.md "Herindelingen"), with geo/data/herindelingen.csv (every reorganisation since 1
January 2011, chains resolved to the 2025 municipality) as the source:

- a current code (gemeenten_2025.csv) is itself;
- a former code with one successor is that successor (GM0393 Haarlemmerliede en Spaarnwoude → GM0394
  Haarlemmermeer): its figures count for the successor, as if the reorganisation had always been;
- a former code with several successors (a *split* municipality: Boarnsterhim 2014, Maasdonk 2015,
  Littenseradiel 2018, Winsum 2019, Haaren 2021) cannot be given to one of them without inventing a
  division: its figures stay under its own former code, flagged "gesplitst", with the successors listed.
  They count for the province (all successors of each lie in the former province) and for NL, so those
  totals stay exact, but for no successor municipality and no region.
"""

import re
from dataclasses import dataclass, field
from functools import cache

from bouwregie.geo import reference
from bouwregie.geo.matching import normalise_name

TOTAL_PREFIXES = {"NL": "nl", "LD": "landsdeel", "PV": "provincie"}
OTHER_TOTAL = re.compile(r"[A-Z]{2}\d{2}")
LANDSDELEN = {"LD01": "Noord-Nederland", "LD02": "Oost-Nederland", "LD03": "West-Nederland", "LD04": "Zuid-Nederland"}


@dataclass(frozen=True)
class Mapped:
    """Where one region code of a file goes."""

    kind: str  # gemeente, provincie, nl, landsdeel, overig (another CBS level such as COROP: a total)
    code: str  # the code as in the file (stripped)
    municipality: str = ""  # the 2025 successor, or the former code itself when split
    province: str = ""
    split: bool = False
    successors: tuple[str, ...] = ()  # of a former municipality: its 2025 successor(s)
    name: str = ""


@dataclass(frozen=True, eq=False)
class RegionMap:
    current: dict  # GM code → (name, province)
    former: dict  # former GM code → (name, former province, successor codes)
    provinces: dict  # PV code → name
    periods: dict = field(default_factory=dict)  # GM code → [(begin, end or None)] as ISO dates (CBS indeling)

    def existed(self, code: str, year: int) -> str | None:
        """Whether municipality `code` existed in `year`: "heel" (the whole year), "deels" (formed or ended during
        it: De Friese Meren became De Fryske Marren on 1 July 2015) or "niet" (geo/data/gemeentelijke_indeling.csv,
        CBS's municipal divisions since 1970); None when the code is not in that list. A StatLine table lists every
        region for every period: the cell of a municipality in a year it did not exist (wholly) is empty."""
        spans = self.periods.get(code)
        if spans is None:
            return None
        first, last = f"{year}-01-01", f"{year}-12-31"
        if any(begin <= first and (end is None or end > last) for begin, end in spans):
            return "heel"
        if any(begin <= last and (end is None or end > first) for begin, end in spans):
            return "deels"
        return "niet"

    def lookup(self, code: str) -> Mapped | None:
        """The mapping of a stripped CBS region code, or None when it is no code of this country's regions."""
        if code == "NL01":
            return Mapped("nl", code, name="Nederland")
        if code in self.provinces:
            return Mapped("provincie", code, province=code, name=self.provinces[code])
        if code in LANDSDELEN:
            return Mapped("landsdeel", code, name=LANDSDELEN[code])
        if OTHER_TOTAL.fullmatch(code) and code[:2] not in ("GM", "PV", "LD", "NL"):
            return Mapped("overig", code, name=code)  # another CBS level (COROP CR01, …): a total, kept as such
        if code in self.current:
            name, province = self.current[code]
            return Mapped("gemeente", code, code, province, name=name)
        if code in self.former:
            name, province, successors = self.former[code]
            if len(successors) == 1:
                successor = successors[0]
                return Mapped("gemeente", code, successor, self.current[successor][1], False, successors, name)
            return Mapped("gemeente", code, code, province, True, successors, name)
        return None

    def name(self, code: str) -> str:
        if code in self.current:
            return self.current[code][0]
        if code in self.former:
            return self.former[code][0]
        return self.provinces.get(code) or LANDSDELEN.get(code) or ("Nederland" if code == "NL01" else code)

    def names(self) -> dict[str, list[str]]:
        """Normalised name → codes (current and former municipalities), for the labels CSV."""
        result: dict[str, list[str]] = {}
        for code, (name, _province) in self.current.items():
            result.setdefault(normalise_name(name), []).append(code)
        for code, (name, _province, _successors) in self.former.items():
            result.setdefault(normalise_name(name), []).append(code)
        return result


@cache
def region_map() -> RegionMap:
    current = {r["gemeentecode"]: (r["gemeentenaam"], r["provinciecode"]) for r in reference.read_municipalities()}
    former: dict[str, tuple] = {}
    for row in reference.read_mergers():
        code = row["voormalige_code"]
        name, province, successors = former.get(code, (row["voormalige_naam"], row["voormalige_provinciecode"], ()))
        if row["opvolger_code"] not in successors:
            successors = (*successors, row["opvolger_code"])
        former[code] = (name, province, successors)
    former = {code: value for code, value in former.items() if code not in current}
    provinces = {r["provinciecode"]: r["provincienaam"] for r in reference.read_provinces()}
    periods: dict[str, list] = {}
    for row in reference.read_historical_municipalities():
        periods.setdefault(f"GM{row['gemeentecode']}", []).append((row["begindatum"], row["einddatum"] or None))
    return RegionMap(current, former, provinces, periods)
