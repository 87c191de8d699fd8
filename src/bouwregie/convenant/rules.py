"""Convenant Toekomstbestendig Bouwen: pure rules over plain data (no database).

- `check_values`: the indicator values a project records must be numbers for indicators of the framework version
  they are recorded under, within the indicator's range there (seed 001, Bijlage 2, activiteit 5: "vastgestelde
  definities van de indicatoren"; a definition fixes the unit, so a percentage beyond 0-100 is not one).
- `score`: a value against a norm for 2030 or 2035 (same activiteit 5: "een norm voor in ieder geval 2030 ...
  een doorkijk naar 2035"); without a norm the answer is "geen norm", never a guess.
- `latest_per_project`: the record that counts at a moment (append-only history: the newest one recorded by then).
- `indicator_scores`: per framework version and indicator, how many projects recorded a value and how many meet
  the 2030 and 2035 norms; `direction` None and no count where the framework names no direction (issue #23).
- `share`: a part of a whole, None for an empty whole.
"""

import math
from collections.abc import Iterable

from django.utils.translation import gettext as _

MEETS, FAILS, NO_NORM, NO_VALUE = "voldoet", "voldoet_niet", "geen_norm", "geen_waarde"
NO_DIRECTION = "geen_richting"  # a norm, but the framework does not say whether to stay below or reach it


def check_values(values: dict, indicator_codes: Iterable[str], ranges: dict | None = None) -> tuple[dict, list[str]]:
    """(the values as floats, errors): every key a known indicator code, every value a finite number within the
    indicator's range in the framework version (ranges: code -> (minimum, maximum, unit), None = open)."""
    known = set(indicator_codes)
    ranges = ranges or {}
    clean, errors = {}, []
    for code, raw in values.items():
        if code not in known:
            errors.append(
                _("Indicator '%(code)s' bestaat niet in dit kader; wel: %(known)s.")
                % {"code": code, "known": ", ".join(sorted(known))}
            )
            continue
        try:
            number = float(str(raw).replace(",", ".")) if not isinstance(raw, bool) else math.nan
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            errors.append(_("Indicator '%(code)s': '%(value)s' is geen getal.") % {"code": code, "value": raw})
            continue
        problem = out_of_range(number, *ranges.get(code, (None, None, "")))
        if problem:
            errors.append(
                _("Indicator '%(code)s': waarde %(value)s valt buiten het bereik %(range)s.")
                % {"code": code, "value": raw, "range": problem}
            )
            continue
        clean[code] = number
    return clean, errors


def _number(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def out_of_range(value: float, minimum: float | None, maximum: float | None, unit: str = "") -> str:
    """'' when value lies within [minimum, maximum] (None: open); else the range in words, with the unit."""
    if (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
        return ""
    unit = f" {unit}" if unit.strip() else ""
    if minimum is not None and maximum is not None:
        text = _("%(minimum)s tot en met %(maximum)s") % {"minimum": _number(minimum), "maximum": _number(maximum)}
    elif minimum is not None:
        text = _("minstens %s") % _number(minimum)
    else:
        text = _("hoogstens %s") % _number(maximum)
    return text + unit


def score(value: float | None, norm: float | None, direction: str | None = None) -> str:
    """A value against a norm: 'hoogstens' means at or below the norm meets it, 'minstens' at or above. Without a
    direction in the framework there is no verdict (issue #23: "hoogstens" was assumed for every indicator of
    ctb 2.0, whose seeds name no direction): NO_DIRECTION, "geen richting in het kader"."""
    if norm is None:
        return NO_NORM
    if direction is None:
        return NO_DIRECTION
    if value is None:
        return NO_VALUE
    return MEETS if (value <= norm if direction == "hoogstens" else value >= norm) else FAILS


def latest_per_project(records: Iterable[dict], cutoff=None) -> dict[int, dict]:
    """records: dicts with project, number, recorded_at; the newest per project recorded at or before cutoff."""
    latest: dict[int, dict] = {}
    for r in records:
        if cutoff is not None and r["recorded_at"] > cutoff:
            continue
        if r["project"] not in latest or r["number"] > latest[r["project"]]["number"]:
            latest[r["project"]] = r
    return latest


def indicator_scores(records: Iterable[dict], frameworks: dict) -> list[dict]:
    """records: dicts with framework (label) and values; frameworks: label -> framework.Framework.
    One row per framework version and indicator, in the framework's order."""
    by_label: dict[str, list[dict]] = {}
    for r in records:
        by_label.setdefault(r["framework"], []).append(r)
    rows = []
    for label in sorted(by_label):
        framework = frameworks.get(label)
        if framework is None:
            continue
        for ind in framework.indicators:
            values = [r["values"][ind.code] for r in by_label[label] if ind.code in r["values"]]
            row = {
                "framework": label,
                "indicator": ind.code,
                "name": ind.name,
                "unit": ind.unit,
                "direction": ind.direction,
                "projects": len(values),
                "mean": round(sum(values) / len(values), 4) if values else None,
            }
            for year, norm in (("2030", ind.norm_2030), ("2035", ind.norm_2035)):
                verdicts = [score(v, norm, ind.direction) for v in values]
                row[f"norm_{year}"] = norm
                row[f"meets_{year}"] = None if norm is None or ind.direction is None else verdicts.count(MEETS)
            rows.append(row)
    return rows


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None
