"""Resolve what people write in plan lists to a current municipality, as a civil servant would.

Accepted: CBS codes in any common form (`GM0363`, `0363`, `363`, `363.0` from a spreadsheet), current names,
spelling variants ('s-Gravenhage / Den Haag, Súdwest-Fryslân / Sudwest-Fryslan), CBS StatLine's own spellings
(`Utrecht (gemeente)`, `Bergen (NH.)`, `Hengelo (O.)`) and former names and codes of every municipality
reorganised since 2011 (Weesp → Amsterdam; Graafstroom → Molenwaard → Molenlanden). The row's province column
tells namesakes apart (Bergen NH / Bergen L) and, where it contradicts a name, yields a warning; the row's place
column tells which part of a split municipality a plan lies in (Winsum: Ezinge → Westerkwartier, Winsum → Het
Hogeland). Regions, provinces and parts of the country are refused by name. When nothing fits, the error lists
the closest names so the user can correct the source instead of guessing.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from django.utils.translation import gettext as _


class MunicipalityNotFound(ValueError):
    def __init__(self, value: str, suggestions: list[str]):
        self.value, self.suggestions = value, suggestions
        hint = _(" Bedoelde u: %s?") % ", ".join(suggestions) if suggestions else ""
        super().__init__(_("Onbekende gemeente '%(value)s'.") % {"value": value} + hint)


class NotAMunicipality(MunicipalityNotFound):
    """A region, province or part of the country (CBS StatLine writes `Utrecht (regio)`, `Utrecht (PV)`,
    `Noord-Nederland (LD)`, `Groot-Amsterdam (CR)`): refused by name, never taken for the municipality of the
    same name, because its figures are not one municipality's."""

    def __init__(self, value: str, kind: str):
        self.value, self.suggestions, self.kind = value, [], kind
        kinds = {"regio": _("regio"), "provincie": _("provincie"), "landsdeel": _("landsdeel"),
                 "corop": _("COROP-gebied"), "land": _("land"), "totaal": _("totaalregel")}  # fmt: skip
        ValueError.__init__(
            self,
            _("'%(value)s' is een %(kind)s, geen gemeente; alleen een gemeente kan worden toegewezen.")
            % {"value": value, "kind": kinds[kind]},
        )


class AmbiguousMunicipality(ValueError):
    def __init__(self, value: str, candidates: list[str], reason: str, message: str | None = None):
        self.value, self.candidates = value, candidates
        super().__init__(
            message
            or _("Gemeente '%(value)s' is niet eenduidig (%(reason)s): %(candidates)s.")
            % {"value": value, "reason": reason, "candidates": ", ".join(candidates)}
        )


class SplitMunicipality(AmbiguousMunicipality):
    """A former municipality divided over several current ones (Winsum 2019, Haaren 2021): only the place a
    plan lies in tells which; the message names the options with one place of each as an example."""

    def __init__(self, value: str, candidates: list[str], date: str, examples: list[str], place: str = ""):
        self.date, self.place, self.examples = date, place, examples
        values = {"value": value, "date": date, "candidates": ", ".join(candidates),
                  "examples": ", ".join(examples), "place": place}  # fmt: skip
        if place:
            message = _("Gemeente '%(value)s' is op %(date)s opgeheven en verdeeld over %(candidates)s; woonplaats "
                        "'%(place)s' staat niet in de lijst van die verdeling. Geef de woonplaats (%(examples)s) of "
                        "de huidige gemeente.")  # fmt: skip
        elif examples:
            message = _("Gemeente '%(value)s' is op %(date)s opgeheven en verdeeld over %(candidates)s; geef de "
                        "woonplaats van het plan (%(examples)s) of de huidige gemeente.")  # fmt: skip
        else:
            message = _("Gemeente '%(value)s' is op %(date)s opgeheven en verdeeld over %(candidates)s; geef de "
                        "huidige gemeente.")  # fmt: skip
        super().__init__(value, candidates, "", message % values)


def normalise_name(text: str) -> str:
    """Case, accents, punctuation and the word 'gemeente' do not distinguish municipalities; nor does the
    usual shorthand for 'aan den'/'aan de' ('Capelle a/d IJssel', 'Alphen a.d. Rijn')."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"^\s*gemeente\s+", "", text)
    text = re.sub(r"\ba\s*/\s*d\b|\ba\.\s*d\.|\baan\s+den?\b", " a d ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _strip_province_suffix(name: str) -> str:
    """'Bergen (NH.)' -> 'Bergen': the CBS adds a province suffix to names that occur twice."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name)


def normalise_code(text: str) -> str | None:
    """'GM0363', 'gm363', '0363', '363', '363.0' (a spreadsheet's number) -> 'GM0363'; anything else -> None."""
    match = re.fullmatch(r"\s*(?:gm)?\s*(\d{1,4})(?:\.0+)?\s*", text, flags=re.IGNORECASE)
    return f"GM{int(match.group(1)):04d}" if match else None


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    via: str  # 'code', 'naam', 'variant', 'herindeling', 'provincie', 'woonplaats'
    note: str = ""  # how the answer was found, for the user ("Winsum (woonplaats Ezinge) → Westerkwartier ...")
    warning: str = ""  # something the list says that does not fit (a contradicting province): show as a warning


# What CBS StatLine writes after the name of an area that is not a municipality ("Utrecht (PV)", "Groot-Amsterdam
# (CR)", "Noord-Nederland (LD)"; CBS, Regionale kerncijfers Nederland, dimension "Regio's"), and the usual
# words in other lists. Keys are normalised without spaces.
_REGION_SUFFIXES = {
    "regio": "regio", "regios": "regio", "arbeidsmarktregio": "regio", "woningmarktregio": "regio",
    "veiligheidsregio": "regio", "ggdregio": "regio", "woondeal": "regio", "woondealregio": "regio",
    "provincie": "provincie", "pv": "provincie", "landsdeel": "landsdeel", "ld": "landsdeel",
    "corop": "corop", "cr": "corop", "coropgebied": "corop", "coropregio": "corop",
}  # fmt: skip
_REGION_PREFIXES = (("regio ", "regio"), ("provincie ", "provincie"), ("landsdeel ", "landsdeel"),
                    ("corop ", "corop"), ("coropgebied ", "corop"), ("arbeidsmarktregio ", "regio"),
                    ("woningmarktregio ", "regio"), ("veiligheidsregio ", "regio"), ("woondeal ", "regio"))  # fmt: skip
# CBS StatLine's suffix for a municipality that shares its name with a province ("Utrecht (gemeente)").
_MUNICIPALITY_SUFFIXES = {"gemeente", "gem"}


def _split_suffix(text: str) -> tuple[str, str | None]:
    """'Bergen (Noord-Holland)' -> ('Bergen', 'Noord-Holland'); without a final bracket -> (text, None)."""
    match = re.fullmatch(r"\s*(.*?)\s*\(([^()]*)\)\s*", text)
    return (match.group(1), match.group(2)) if match else (text, None)


def _spelling_key(text: str) -> str:
    """'N-H', 'N.H.', 'NH' and 'Noord Holland' / 'Noord-Holland' are the same spelling of a province."""
    return normalise_name(text).replace(" ", "")


class MunicipalityMatcher:
    """Built once from plain tables (so it is testable without a database) and reused per row.

    Every answer (and every refusal) is remembered per (value, province, place): an import of 45,000 rows
    asks about a few hundred distinct names, and the expensive part (close matches for an unknown name) is
    remembered per name alone.
    """

    def __init__(self, municipalities, variants=(), mergers=(), places=(), provinces=None):
        """municipalities: (code, name[, province code]); variants: (variant, code); mergers: (former_code,
        former_name, successor_code, date, note[, former province code]); places: (former_code, place,
        successor_code) for split municipalities; provinces: (province code, spelling), by default the shipped
        names, variants and abbreviations (reference.read_province_spellings)."""
        self._names, self._province_of = {}, {}
        for code, name, *province in municipalities:
            self._names[code], self._province_of[code] = name, (province[0] if province else "")
        self._resolved: dict[tuple, object] = {}
        self._base: dict[str, object] = {}
        self._by_name: dict[str, set[str]] = {}
        self._short: dict[str, set[str]] = {}
        for code, name in self._names.items():
            self._by_name.setdefault(normalise_name(name), set()).add(code)
            self._short.setdefault(normalise_name(_strip_province_suffix(name)), set()).add(code)
        self._variants = {normalise_name(v): code for v, code in variants}
        self._former: dict[str, list[tuple]] = {}
        for former_code, former_name, successor, date, note, *province in mergers:
            entry = (successor, str(date), note, former_code, province[0] if province else "", former_name)
            for key in (former_code, normalise_name(former_name)):
                if entry not in self._former.setdefault(key, []):
                    self._former[key].append(entry)
        self._places = {(former, normalise_name(place)): successor for former, place, successor in places}
        self._examples: dict[tuple[str, str], str] = {}  # (former, successor) -> the first place listed
        for former, place, successor in places:
            self._examples.setdefault((former, successor), place)
        if provinces is None:
            from bouwregie.geo.reference import read_province_spellings

            provinces = read_province_spellings()
        self._provinces = {_spelling_key(spelling): code for code, spelling in provinces}
        self._provinces.update({_spelling_key(code): code for code, _spelling in provinces})
        self._province_names = {code: spelling for code, spelling in reversed(list(provinces))}

    def resolve(self, value: str, province: str | None = None, place: str | None = None) -> Match:
        """The current municipality for what a row writes: the municipality column, and where the list has
        them its province column (tells Bergen (NH.) from Bergen (L.); a contradiction is a warning) and its
        place column (tells which part of a split municipality). Answers and refusals are remembered."""
        key = (str(value or ""), str(province or "").strip(), str(place or "").strip())
        if key not in self._resolved:
            try:
                self._resolved[key] = self._settle(*key)
            except (MunicipalityNotFound, AmbiguousMunicipality) as error:
                self._resolved[key] = error
        outcome = self._resolved[key]
        if isinstance(outcome, Exception):
            raise outcome.with_traceback(None)
        return outcome

    def province_code(self, text: str) -> str | None:
        """'Noord-Holland', 'NH', 'N-H', 'PV27', '27', 'Fryslân', 'Friesland', 'L.' -> the CBS province code."""
        key = _spelling_key(re.sub(r"^\s*provincie\s+", "", str(text or ""), flags=re.IGNORECASE))
        number = re.fullmatch(r"(?:pv)?(\d{2})", key)
        found = self._provinces.get(f"pv{number.group(1)}" if number else key)
        return found

    def _settle(self, value: str, province: str, place: str) -> Match:
        text = value.strip()
        if text not in self._base:
            try:
                self._base[text] = self._lookup(text)
            except (MunicipalityNotFound, AmbiguousMunicipality) as error:
                self._base[text] = error
        outcome = self._base[text]
        if isinstance(outcome, Exception):
            raise outcome.with_traceback(None)
        kind = outcome[0]
        if kind == "split":
            return self._by_place(*outcome[1:], place)  # a place decides; the province cannot
        if kind == "names":
            return self._by_province(outcome[1], outcome[2], province)
        return self._province_checked(outcome[1], outcome[2], province)

    def _lookup(self, text: str) -> tuple:
        """What the name or code alone says: ('match', Match, provinces it may lie in), ('names', text,
        codes) for a name several municipalities share, or ('split', text, former code, entries)."""
        if not text:
            raise MunicipalityNotFound(text, [])
        self._refuse_regions(text)
        code = normalise_code(text)
        if code and code in self._names:
            return self._current(code, "code")
        if code and code in self._former:
            return self._merged(text, code)
        found = self._by_text(text)
        if found:
            return found
        base, suffix = _split_suffix(text)
        if suffix is not None and _spelling_key(suffix) in _MUNICIPALITY_SUFFIXES:
            found = self._by_text(base)
            if found and found[0] == "match" and found[1].via == "naam":
                return ("match", replace(found[1], via="variant"), found[2])
            if found:
                return found
        hint = self.province_code(suffix) if suffix is not None else None
        if hint:
            found = self._by_text(base)
            if found:
                return self._by_suffix(text, found, hint)
        if len(_spelling_key(text)) > 3 and self.province_code(text):
            raise NotAMunicipality(text, "provincie")
        raise MunicipalityNotFound(text, self.suggestions(text))

    def _refuse_regions(self, text: str) -> None:
        _base, suffix = _split_suffix(text)
        kind = _REGION_SUFFIXES.get(_spelling_key(suffix)) if suffix is not None else None
        key = normalise_name(text)
        kind = kind or next((k for prefix, k in _REGION_PREFIXES if key.startswith(prefix)), None)
        if key in ("nederland", "totaal nederland"):
            kind = "land"
        elif key in ("totaal", "total", "subtotaal", "eindtotaal", "som", "generaal totaal") or key.startswith(
            ("totaal ", "subtotaal ")
        ):  # the sum row of a list
            kind = "totaal"
        if kind:
            raise NotAMunicipality(text, kind)

    def _by_text(self, text: str) -> tuple | None:
        """A current name always wins over a former one (names are reused: Groesbeek, Molenwaard)."""
        key = normalise_name(text)
        if len(self._by_name.get(key, ())) == 1:
            (found,) = self._by_name[key]
            return self._current(found, "naam")
        if key in self._variants:
            return self._current(self._variants[key], "variant")
        if key in self._short:
            candidates = sorted(self._short[key])
            if len(candidates) == 1:
                return self._current(candidates[0], "variant")
            return ("names", text, tuple(candidates))
        if key in self._former:
            return self._merged(text, key)
        return None

    def _current(self, code: str, via: str) -> tuple:
        allowed = frozenset(filter(None, [self._province_of.get(code)]))
        return ("match", Match(code, self._names[code], via), allowed)

    def _merged(self, text: str, key: str) -> tuple:
        entries = self._former[key]
        if len({successor for successor, *_rest in entries}) > 1:
            return ("split", text, entries)
        successor, date, note, former, _province, former_name = entries[0]
        name = self._names[successor]
        chain = f": {note}" if ";" in note or note.startswith("hernoemd") else ""
        said = f"{text} ({former_name})" if key == former else text
        allowed = {self._province_of.get(successor)} | {entry[4] for entry in entries}
        return ("match", Match(successor, name, "herindeling", f"{said} → {name} ({date}{chain})"),
                frozenset(filter(None, allowed)))  # fmt: skip

    def _by_suffix(self, text: str, found: tuple, hint: str) -> tuple:
        """The province in the name itself ('Bergen (Noord-Holland)', 'Hengelo (Gld.)') is part of the name:
        it chooses among namesakes, and a name whose province does not fit is another (former) municipality."""
        if found[0] == "names":
            chosen = [c for c in found[2] if self._province_of.get(c) == hint]
            if len(chosen) == 1:
                name = self._names[chosen[0]]
                return ("match", Match(chosen[0], name, "provincie", f"{text} → {name}"), frozenset({hint}))
            raise MunicipalityNotFound(text, [self._names[c] for c in found[2]])
        if found[0] == "match" and found[2] and hint not in found[2]:
            raise MunicipalityNotFound(text, [found[1].name])
        if found[0] == "match" and found[1].via == "naam":
            return ("match", replace(found[1], via="variant"), found[2])
        return found

    def _province_checked(self, match: Match, allowed: frozenset, province: str) -> Match:
        """A province column that contradicts an unambiguous name is a warning, not a refusal: the name is
        the more specific of the two (Zwolle with 'Limburg' stays Zwolle)."""
        if not province:
            return match
        code = self.province_code(province)
        if code is None:
            return replace(match, warning=_("Provincie '%s' niet herkend; niet gebruikt om de gemeente te bepalen.")
                           % province)  # fmt: skip
        if allowed and code not in allowed:
            actual = ", ".join(self._province_names.get(c, c) for c in sorted(allowed))
            return replace(match, warning=_("Provincie '%(province)s' past niet bij gemeente %(name)s (%(actual)s); "
                                            "de gemeente is op naam bepaald.")
                           % {"province": province, "name": match.name, "actual": actual})  # fmt: skip
        return match

    def _by_province(self, text: str, codes: tuple, province: str) -> Match:
        code = self.province_code(province) if province else None
        chosen = [c for c in codes if code and self._province_of.get(c) == code]
        if len(chosen) == 1:
            name = self._names[chosen[0]]
            return Match(chosen[0], name, "provincie", f"{text} ({province}) → {name}")
        if not province:
            reason = _("meerdere gemeenten met deze naam; geef de provincie")
        elif code is None:
            reason = _("meerdere gemeenten met deze naam; provincie '%s' niet herkend") % province
        else:
            reason = _("meerdere gemeenten met deze naam, geen ervan in provincie %s") % province
        raise AmbiguousMunicipality(text, [self._names[c] for c in codes], reason)

    def _by_place(self, text: str, entries: list, place: str) -> Match:
        """A split municipality is settled by the plan's place (woonplaats) in the list of places per
        successor (data/woonplaatsen_splitsingen.csv), or by a place that is itself one of the successors."""
        successors = sorted({successor for successor, *_rest in entries})
        formers = {entry[3] for entry in entries}
        date = min(date for _successor, date, *_rest in entries)
        key = normalise_name(place)
        found = {self._places.get((former, key)) for former in formers} - {None}
        found |= {s for s in successors if key and normalise_name(self._names[s]) == key}
        if len(found) == 1 and found <= set(successors):
            (successor,) = found
            name = self._names[successor]
            return Match(successor, name, "woonplaats", f"{text} (woonplaats {place}) → {name} ({date})")
        examples = []
        for successor in successors:
            first = next(
                (self._examples[f, successor] for f in sorted(formers) if (f, successor) in self._examples), ""
            )
            if first:
                examples.append(f"{first} → {self._names[successor]}")
        raise SplitMunicipality(text, [self._names[s] for s in successors], date, examples, place)

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        key = normalise_name(text)
        pool = {normalise_name(name): name for name in self._names.values()}
        pool.update({k: self._names[c] for k, c in self._variants.items()})
        close = difflib.get_close_matches(key, list(pool), n=limit * 2, cutoff=0.6)
        result = []
        for k in close:
            if pool[k] not in result:
                result.append(pool[k])
        return result[:limit]


def matcher_from_database() -> MunicipalityMatcher:
    """The matcher for the reference data in the database (municipalities with their province, mergers),
    with the shipped tables that only the matcher reads: variants, former provinces, places of splits."""
    from bouwregie.geo.models import Municipality, MunicipalityMerger
    from bouwregie.geo.reference import read_former_provinces, read_province_spellings, read_split_places, read_variants

    provinces = dict(read_former_provinces())
    mergers = MunicipalityMerger.objects.values_list("former_code", "former_name", "successor_id", "date", "note")
    mergers = tuple((*row, provinces.get(row[0], "")) for row in mergers.order_by("pk"))
    municipalities = tuple(Municipality.objects.values_list("code", "name", "province_id").order_by("code"))
    return _matcher(municipalities, mergers, read_variants(), read_split_places(), read_province_spellings())


@lru_cache(maxsize=4)
def _matcher(municipalities: tuple, mergers: tuple, variants: tuple, places=(), provinces=None) -> MunicipalityMatcher:
    """Building the matcher normalises every name (8 ms; every web request that names an area needs
    one); keyed by the data itself, so a change in the reference data is seen at once."""
    return MunicipalityMatcher(municipalities, variants, mergers, places, provinces)
