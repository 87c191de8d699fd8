"""Kansrijk Bouwen!: score each project 0–100 and share civil-service hours in proportion to the score.

Woontop 11 Dec 2024 (seed 004), Afspraak 3A (gemeente Maasdriel): every project is tested on spatial
quality, on meeting the housing need and on progress & feasibility; the higher the score, the more
civil-service capacity it gets; the model can be adapted to each municipality's policy. Here the model
is data (kansrijk_standaard.toml, or a municipality's own version in ScoringModel); the criteria are a
fixed catalogue computed from what the PPM holds, each giving a value from 0 to 1 with its reason.
"""

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from bouwregie.formatting import decimal, number, percent
from bouwregie.geo.areas import resolve_area
from bouwregie.monitor.models import DEFAULT_SCOPE, ScoringModel
from bouwregie.monitor.snapshot import (
    AFFORDABLE_COLUMNS,
    GROUPS,
    PHASES,
    PLAN_TYPES,
    SOCIAL_COLUMNS,
    STATUS_CLASS,
    STATUSES,
    Snapshot,
    bottleneck_labels,
    describe_versions,
    load,
    members,
    segment_share,
)
from bouwregie.projects.enums import PlanType
from bouwregie.projects.milestones import phase_label

STANDARD_FILE = Path(__file__).with_name("kansrijk_standaard.toml")


class InvalidModel(ValueError):
    pass


# --- the criteria catalogue ----------------------------------------------------------------------
@dataclass(frozen=True)
class Criterion:
    label: str
    parameters: dict  # name -> kind: 'fraction' (0..1), 'share' (0 < x ≤ 1), 'count' (> 0) or 'groups'
    values: Callable  # (snapshot, indices, parameters) -> array of values 0..1
    describe: Callable  # (snapshot, index, parameters) -> what the value was computed from


def _segment_criterion(label: str, columns: np.ndarray) -> Criterion:
    def values(s, idx, p):
        share, known = segment_share(s, columns, idx)
        return np.where(known, np.minimum(1.0, share / p["norm"]), p["onbekend"])

    def describe(s, i, p):
        share, known = segment_share(s, columns, [i])
        return (_("%(share)s (norm %(norm)s)") % {"share": percent(share[0]), "norm": percent(p["norm"])}
                if known[0] else _("segment onbekend"))  # fmt: skip

    return Criterion(label, {"norm": "share", "onbekend": "fraction"}, values, describe)


def _table_criterion(label: str, keys: tuple, key_of: Callable, name_of: Callable) -> Criterion:
    """A value per category (plan type, plan status, yes/no)."""

    def values(s, idx, p):
        return np.array([p[k] for k in keys])[key_of(s, idx)]

    def describe(s, i, p):
        return name_of(s, i)

    return Criterion(label, dict.fromkeys(keys, "fraction"), values, describe)


_STATUS_KEYS = ("hard", "3", "4A", "4B", "onbekend")


def _status_key(s, idx):
    return np.array([_STATUS_KEYS.index(c) for c in STATUS_CLASS])[s.status[idx]]


def _groups(s, idx, p):
    columns = [GROUPS.index(g) for g in p["groepen"]]
    return s.groups[idx][:, columns].sum(axis=1)


CRITERIA: dict[str, Criterion] = {
    "plantype": _table_criterion(
        _("Plantype"), tuple(PLAN_TYPES), lambda s, idx: s.plan_type[idx],
        lambda s, i: str(PlanType(PLAN_TYPES[s.plan_type[i]]).label),
    ),
    "betaalbaar": _segment_criterion(_("Aandeel betaalbaar"), AFFORDABLE_COLUMNS),
    "sociale_huur": _segment_criterion(_("Aandeel sociale huur"), SOCIAL_COLUMNS),
    "doelgroepen": Criterion(
        _("Woningen voor doelgroepen"), {"norm": "share", "groepen": "groups"},
        lambda s, idx, p: np.minimum(1.0, _groups(s, idx, p) / np.maximum(s.homes[idx], 1) / p["norm"]),
        lambda s, i, p: _("%(n)s van %(homes)s woningen (norm %(norm)s)")
        % {"n": number(int(_groups(s, np.array([i]), p)[0])), "homes": number(int(s.homes[i])),
           "norm": percent(p["norm"])},
    ),
    "omvang": Criterion(
        _("Omvang"), {"woningen": "count"},
        lambda s, idx, p: np.minimum(1.0, s.remaining[idx] / p["woningen"]),
        lambda s, i, p: _("%(n)s woningen nog te bouwen (vol vanaf %(full)s)")
        % {"n": number(int(s.remaining[i])), "full": number(p["woningen"])},
    ),
    "fase": Criterion(
        _("Fase"), {},
        lambda s, idx, p: s.phase[idx] / (len(PHASES) - 1),
        lambda s, i, p: _("laatst bereikte mijlpaal: %(phase)s (%(n)d van %(all)d)")
        % {"phase": phase_label(PHASES[s.phase[i]]), "n": s.phase[i], "all": len(PHASES) - 1},
    ),
    "planstatus": _table_criterion(
        _("Planstatus"), _STATUS_KEYS, _status_key, lambda s, i: STATUSES[s.status[i]]
    ),
    "knelpunten": Criterion(
        _("Knelpunten"), {"aftrek": "fraction"},
        lambda s, idx, p: np.maximum(0.0, 1 - p["aftrek"] * s.bottlenecks[idx].sum(axis=1)),
        lambda s, i, p: ", ".join(label.lower() for label in bottleneck_labels(s, i)) or _("geen"),
    ),
    "parallel_plannen": _table_criterion(
        _("Parallel plannen"), ("ja", "nee"), lambda s, idx: np.where(s.parallel_plannen[idx], 0, 1),
        lambda s, i: _("ja") if s.parallel_plannen[i] else _("nee"),
    ),
}  # fmt: skip


# --- the model: validated configuration ----------------------------------------------------------
@lru_cache(maxsize=1)
def _standard_raw() -> dict:
    """The shipped model file as read (never mutated: parse builds new dicts)."""
    return tomllib.loads(STANDARD_FILE.read_text(encoding="utf-8"))


def standard_config() -> dict:
    return parse(_standard_raw())


def parse(raw: dict) -> dict:
    """A complete, validated model: every parameter present, so a stored model means the same later."""
    if not isinstance(raw, dict) or not isinstance(raw.get("pijlers"), dict) or not raw["pijlers"]:
        raise InvalidModel(_("Het model mist [pijlers.…]: minstens één pijler met criteria en gewichten."))
    pillars, used = {}, set()
    for key, pillar in raw["pijlers"].items():
        if not isinstance(pillar, dict) or not isinstance(pillar.get("criteria"), dict):
            raise InvalidModel(_("Pijler '%s' mist 'criteria = { naam = gewicht, … }'.") % key)
        criteria = {}
        for name, weight in pillar["criteria"].items():
            if name not in CRITERIA:
                raise InvalidModel(_("Onbekend criterium '%(name)s' in pijler '%(pillar)s'; kies uit: %(known)s.")
                                   % {"name": name, "pillar": key, "known": ", ".join(CRITERIA)})  # fmt: skip
            criteria[name] = _weight(weight, _("criterium '%s'") % name)
            used.add(name)
        pillars[key] = {"naam": str(pillar.get("naam", key)), "gewicht": _weight(pillar.get("gewicht", 1),
                        _("pijler '%s'") % key), "criteria": criteria}  # fmt: skip
    if not any(p["gewicht"] > 0 and any(w > 0 for w in p["criteria"].values()) for p in pillars.values()):
        raise InvalidModel(_("Het model heeft geen pijler met gewicht > 0 en een criterium met gewicht > 0."))
    given = raw.get("parameters", {})
    if not isinstance(given, dict) or not all(isinstance(v, dict) for v in given.values()):
        raise InvalidModel(_("[parameters] moet per criterium een tabel zijn, bijv. [parameters.betaalbaar]."))
    unknown = set(given) - set(CRITERIA)
    if unknown:
        raise InvalidModel(_("Parameters voor onbekend criterium: %s.") % ", ".join(sorted(unknown)))
    defaults = _standard_raw().get("parameters", {})
    parameters = {name: _parameters(name, {**defaults.get(name, {}), **given.get(name, {})}) for name in used}
    return {"naam": str(raw.get("naam", _("Eigen model"))), "bron": str(raw.get("bron", "")), "pijlers": pillars,
            "parameters": parameters}  # fmt: skip


def _weight(value, what: str) -> float:
    if not _is_number(value) or value < 0:
        raise InvalidModel(_("Gewicht van %(what)s moet een getal ≥ 0 zijn, niet '%(value)s'.")
                           % {"what": what, "value": value})  # fmt: skip
    return float(value)


def _parameters(name: str, given: dict) -> dict:
    spec = CRITERIA[name].parameters
    unknown = set(given) - set(spec)
    if unknown:
        raise InvalidModel(
            _("Onbekende parameter %(bad)s bij '%(name)s'; bekend: %(known)s.")
            % {"bad": ", ".join(sorted(unknown)), "name": name, "known": ", ".join(spec) or "-"}
        )
    missing = set(spec) - set(given)
    if missing:
        raise InvalidModel(_("Parameter %(missing)s ontbreekt bij '%(name)s'.")
                           % {"missing": ", ".join(sorted(missing)), "name": name})  # fmt: skip
    result = {}
    for key, kind in spec.items():
        value = given[key]
        accepts, expected = PARAMETER_KINDS[kind]
        if not accepts(value):
            raise InvalidModel(_("Parameter '%(key)s' bij '%(name)s' moet %(expected)s zijn, niet '%(value)s'.")
                               % {"key": key, "name": name, "expected": expected(), "value": value})  # fmt: skip
        result[key] = float(value) if kind in ("fraction", "share") else value
    return result


def _is_number(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


PARAMETER_KINDS = {
    "fraction": (lambda v: _is_number(v) and 0 <= v <= 1, lambda: _("een getal van 0 tot en met 1")),
    "share": (lambda v: _is_number(v) and 0 < v <= 1, lambda: _("een getal groter dan 0 en hoogstens 1")),
    "count": (lambda v: _is_number(v) and v == int(v) and v > 0, lambda: _("een geheel getal groter dan 0")),
    "groups": (lambda v: isinstance(v, list) and bool(v) and set(v) <= set(GROUPS),
               lambda: _("een lijst uit: %s") % ", ".join(GROUPS)),
}  # fmt: skip


def read_file(path: Path) -> dict:
    """A model file as users write it (TOML, or JSON as exported by 'model show')."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidModel(
            _("Kan modelbestand %(path)s niet lezen: %(error)s") % {"path": path, "error": error}
        ) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as error:
        raise InvalidModel(_("Modelbestand %(path)s is geen geldige TOML/JSON: %(error)s")
                           % {"path": path.name, "error": error}) from None  # fmt: skip
    return parse(raw)


# --- stored models per municipality --------------------------------------------------------------
@dataclass(frozen=True)
class UsedModel:
    scope: str
    version: int  # 0 = the shipped standard file
    config: dict

    def as_dict(self) -> dict:
        return {"scope": self.scope or "standaard", "version": self.version, "name": self.config["naam"],
                "source": self.config["bron"]}  # fmt: skip


def save(config: dict, scope: str = DEFAULT_SCOPE, author: str = "cli") -> ScoringModel:
    with transaction.atomic():
        last = ScoringModel.objects.select_for_update().filter(scope=scope).order_by("-version").first()
        return ScoringModel.objects.create(scope=scope, version=(last.version + 1) if last else 1, name=config["naam"],
                                           source=config["bron"], config=config, created_by=author)  # fmt: skip


def models_for(municipality_codes) -> dict[str, UsedModel]:
    """The model each municipality uses: its own latest version, else the latest standard, else the file."""
    latest: dict[str, ScoringModel] = {}
    for m in ScoringModel.objects.filter(scope__in={*municipality_codes, DEFAULT_SCOPE}).order_by("scope", "version"):
        latest[m.scope] = m
    fallback = latest.get(DEFAULT_SCOPE)
    standard = (
        UsedModel(DEFAULT_SCOPE, fallback.version, fallback.config)
        if fallback
        else UsedModel(DEFAULT_SCOPE, 0, standard_config())
    )
    return {code: UsedModel(code, latest[code].version, latest[code].config) if code in latest else standard
            for code in municipality_codes}  # fmt: skip


# --- scoring and hours ---------------------------------------------------------------------------
def score(s: Snapshot, idx: np.ndarray, config: dict) -> tuple[np.ndarray, dict, dict]:
    """Scores 0–100 of the projects `idx`, with each pillar's score (0–100) and each criterion's value."""
    values = {name: CRITERIA[name].values(s, idx, config["parameters"][name]) for name in config["parameters"]}
    pillars, total, weight_sum = {}, np.zeros(len(idx)), 0.0
    for key, pillar in config["pijlers"].items():
        weights = {c: w for c, w in pillar["criteria"].items() if w > 0}
        if not weights:
            continue
        pillars[key] = 100 * sum(w * values[c] for c, w in weights.items()) / sum(weights.values())
        total += pillar["gewicht"] * pillars[key]
        weight_sum += pillar["gewicht"]
    return total / weight_sum, pillars, values


def allocate_hours(scores: np.ndarray, hours: int, threshold: float = 0.0) -> np.ndarray:
    """Whole hours in proportion to the score (largest remainder), adding up to `hours` exactly.

    Projects below `threshold` get none. A higher score never gets fewer hours; equal remainders go
    to the higher score, then to the earlier project in the given order."""
    if hours < 0:
        raise ValueError(_("Het aantal uren kan niet negatief zijn."))
    weights = np.where(scores >= threshold, np.maximum(scores, 0), 0.0)
    if weights.sum() <= 0:
        return np.zeros(len(scores), dtype=np.int64)
    quota = hours * weights / weights.sum()
    given = np.floor(quota).astype(np.int64)
    left = hours - int(given.sum())
    remainder = quota - given
    order = np.lexsort((np.arange(len(scores)), -weights, -np.round(remainder, 9)))
    given[order[:left]] += 1
    return given


def reasons(s: Snapshot, i: int, config: dict, values: dict) -> list[str]:
    """One line per weighted criterion, in the model's order: what it saw and the value it gave."""
    lines = []
    for pillar in config["pijlers"].values():
        for c, weight in pillar["criteria"].items():
            if weight > 0:
                seen = CRITERIA[c].describe(s, i, config["parameters"][c])
                lines.append(f"{pillar['naam']} — {CRITERIA[c].label}: {seen} → {decimal(float(values[c]), 2)}")
    return lines


def kansrijk(spec: str, peiling: str, hours: int | None = None, threshold: float = 0.0, limit: int | None = None,
             with_reasons: bool = True) -> dict:  # fmt: skip
    """Every active project of the area that still has homes to build, best first, each scored with its
    own municipality's model; with hours, the allocation over all of them (not only the ones listed)."""
    area = resolve_area(spec)
    s = load(peiling)
    idx = np.flatnonzero(members(s, area) & s.active & (s.remaining > 0))
    used = models_for([s.municipality_codes[m] for m in np.unique(s.municipality[idx])])
    models = sorted({(m.scope, m.version): m for m in used.values()}.items())
    number_of = {key: n for n, (key, _m) in enumerate(models)}
    per_municipality = np.zeros(len(s.municipality_codes), dtype=np.int64)
    for code, model in used.items():
        per_municipality[s.municipality_codes.index(code)] = number_of[(model.scope, model.version)]
    model_of = per_municipality[s.municipality[idx]]
    scores = np.zeros(len(idx))
    parts: list[tuple] = [()] * len(models)
    for n, (_key, model) in enumerate(models):
        mine = np.flatnonzero(model_of == n)
        scores[mine], pillars, values = score(s, idx[mine], model.config)
        parts[n] = (mine, pillars, values)
    order = np.lexsort((s.project_ids[idx], -np.round(scores, 6)))
    given = allocate_hours(scores[order], hours, threshold) if hours is not None else None
    shown = order if limit is None else order[:limit]
    details = describe_versions(s.version_ids[idx[shown]].tolist())
    projects = []
    for rank, k in enumerate(shown.tolist()):
        i, n = int(idx[k]), int(model_of[k])
        mine, pillars, values = parts[n]
        j = int(np.searchsorted(mine, k))
        mine_values = {c: float(v[j]) for c, v in values.items()}
        projects.append({
            "rank": rank + 1, **details[int(s.version_ids[i])], "remaining": int(s.remaining[i]),
            "score": round(float(scores[k]), 1), "model": {"scope": models[n][0][0] or "standaard",
                                                           "version": models[n][0][1]},
            "pillars": {p: round(float(v[j]), 1) for p, v in pillars.items()},
            "criteria": {c: round(v, 3) for c, v in mine_values.items()},
            **({"reasons": reasons(s, i, models[n][1].config, mine_values)} if with_reasons else {}),
            **({"hours": int(given[rank])} if given is not None else {}),
        })  # fmt: skip
    return {
        "area": area.as_dict(), "peiling": peiling,
        "models": [m.as_dict() | {"projects": int((model_of == n).sum())} for n, (_key, m) in enumerate(models)],
        "totals": {"projects": len(idx), "mean_score": round(float(scores.mean()), 1) if len(idx) else None,
                   "hours": hours, "threshold": threshold,
                   "projects_with_hours": int((given > 0).sum()) if given is not None else None},
        "projects": projects,
    }  # fmt: skip
