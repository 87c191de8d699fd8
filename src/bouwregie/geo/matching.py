"""Resolve what people write in plan lists to a current municipality.

Accepted: CBS codes in any common form (`GM0363`, `0363`, `363`), current names, spelling variants
('s-Gravenhage / Den Haag, Súdwest-Fryslân / Sudwest-Fryslan) and former names and codes of merged
municipalities (Weesp → Amsterdam). When nothing fits, the error lists the closest names so the
user can correct the source instead of guessing.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _


class MunicipalityNotFound(ValueError):
    def __init__(self, value: str, suggestions: list[str]):
        self.value, self.suggestions = value, suggestions
        hint = _(" Bedoelde u: %s?") % ", ".join(suggestions) if suggestions else ""
        super().__init__(_("Onbekende gemeente '%(value)s'.") % {"value": value} + hint)


class AmbiguousMunicipality(ValueError):
    def __init__(self, value: str, candidates: list[str], reason: str):
        self.value, self.candidates = value, candidates
        super().__init__(
            _("Gemeente '%(value)s' is niet eenduidig (%(reason)s): %(candidates)s.")
            % {"value": value, "reason": reason, "candidates": ", ".join(candidates)}
        )


def normalise_name(text: str) -> str:
    """Case, accents, punctuation and the word 'gemeente' do not distinguish municipalities."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"^\s*gemeente\s+", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def _strip_province_suffix(name: str) -> str:
    """'Bergen (NH.)' -> 'Bergen': the CBS adds a province suffix to names that occur twice."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name)


def normalise_code(text: str) -> str | None:
    """'GM0363', 'gm363', '0363', '363' -> 'GM0363'; anything else -> None."""
    match = re.fullmatch(r"\s*(?:gm)?\s*(\d{1,4})\s*", text, flags=re.IGNORECASE)
    return f"GM{int(match.group(1)):04d}" if match else None


@dataclass(frozen=True)
class Match:
    code: str
    name: str
    via: str  # 'code', 'naam', 'variant', 'herindeling'
    note: str = ""


class MunicipalityMatcher:
    """Built once from plain tables (so it is testable without a database) and reused per row."""

    def __init__(self, municipalities, variants=(), mergers=()):
        """municipalities: (code, name); variants: (variant, code); mergers: (former_code, former_name,
        successor_code, date, note)."""
        self._names = dict(municipalities)
        self._resolved: dict[str, Match] = {}
        self._by_name: dict[str, set[str]] = {}
        for code, name in self._names.items():
            self._by_name.setdefault(normalise_name(name), set()).add(code)
        short: dict[str, set[str]] = {}
        for code, name in self._names.items():
            short.setdefault(normalise_name(_strip_province_suffix(name)), set()).add(code)
        self._short = short
        self._variants = {normalise_name(v): code for v, code in variants}
        self._former: dict[str, list[tuple[str, str, str]]] = {}
        for former_code, former_name, successor, date, note in mergers:
            entry = (successor, str(date), note)
            for key in (former_code, normalise_name(former_name)):
                if entry not in self._former.setdefault(key, []):
                    self._former[key].append(entry)

    def resolve(self, value: str) -> Match:
        """The current municipality for what a user wrote; successful answers are remembered."""
        key = str(value or "")
        if key not in self._resolved:
            self._resolved[key] = self._resolve(key)
        return self._resolved[key]

    def _resolve(self, value: str) -> Match:
        text = str(value or "").strip()
        if not text:
            raise MunicipalityNotFound(text, [])
        code = normalise_code(text)
        if code and code in self._names:
            return Match(code, self._names[code], "code")
        if code and code in self._former:
            return self._from_merger(text, self._former[code])
        key = normalise_name(text)
        if key in self._by_name and len(self._by_name[key]) == 1:
            (found,) = self._by_name[key]
            return Match(found, self._names[found], "naam")
        if key in self._variants:
            found = self._variants[key]
            return Match(found, self._names[found], "variant")
        if key in self._former:
            return self._from_merger(text, self._former[key])
        if key in self._short:
            candidates = sorted(self._short[key])
            if len(candidates) == 1:
                return Match(candidates[0], self._names[candidates[0]], "variant")
            raise AmbiguousMunicipality(
                text, [self._names[c] for c in candidates], _("meerdere gemeenten met deze naam")
            )
        raise MunicipalityNotFound(text, self.suggestions(text))

    def _from_merger(self, text, entries) -> Match:
        successors = sorted({successor for successor, _date, _note in entries})
        if len(successors) > 1:
            raise AmbiguousMunicipality(
                text,
                [self._names[s] for s in successors],
                _("voormalige gemeente is gesplitst; kies de huidige gemeente per project"),
            )
        successor, date, note = entries[0]
        return Match(successor, self._names[successor], "herindeling", f"{text} → {self._names[successor]} ({date})")

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
    from bouwregie.geo.models import Municipality, MunicipalityMerger
    from bouwregie.geo.reference import read_variants

    mergers = MunicipalityMerger.objects.values_list("former_code", "former_name", "successor_id", "date", "note")
    return _matcher(tuple(Municipality.objects.values_list("code", "name").order_by("code")),
                    tuple(mergers.order_by("pk")), read_variants())  # fmt: skip


@lru_cache(maxsize=4)
def _matcher(municipalities: tuple, mergers: tuple, variants: tuple) -> MunicipalityMatcher:
    """Building the matcher normalises every name (8 ms; every web request that names an area needs
    one); keyed by the data itself, so a change in the reference data is seen at once."""
    return MunicipalityMatcher(municipalities, variants, mergers)
