"""Lead times permit → start of construction → delivery learnt from the BAG histories (issue #18), beside the
peiling-based calibration (calibration.py), with the same gamma fit and priors.

Per pand (not per woning: a building of 100 homes is one decision, as a project is one in the peiling history)
from the woningen derived from the newest extract per municipality (BagWoning, bag/events.py): the pand's
"Bouwvergunning verleend" (permit_date), "Bouw gestart" (start_date) and the first woning in use in it
(delivery_date), new build only: delivered as 'nieuwbouw' or not delivered yet (origin ''), with a permit (the
BAG's initial fill of 2009–2011 and transformations have no construction stage of their own). A woning formed
later in a pand already in use and not yet in use cannot be told apart from new build here: it counts as a
permit still waiting for its start (a limitation; such woningen are few against new build). Each step gives a
spell:

- permit → start: from the permit to the start; no start yet: censored at the extract's stand date, or at the
  day the pand was demolished or not realised (it left the step without starting);
- start → delivery: from the start to the first woning in use; likewise censored.

The BAG registers a pand from its permit on, so there is no left truncation. Each step is fitted by
calibration.fit_step (gamma by maximum a posteriori) with the priors of the matching peiling steps: permit →
start spans vergunning_verleend → financiering_rond → start_verkoop → start_bouw (prior mean the sum of those
steps, priors.STEP_MEAN_YEARS), start → delivery is start_bouw → oplevering."""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from bouwregie.forecast import calibration as cal
from bouwregie.forecast import priors

PERMIT = priors.PHASES.index("vergunning_verleend")
STEPS = (
    ("vergunning_verleend", "start_bouw", range(PERMIT, priors.START_BOUW)),
    ("start_bouw", "oplevering", range(priors.START_BOUW, priors.OPLEVERING)),
)


@dataclass(frozen=True)
class Histories:
    """Per pand, days as ordinals (0 = none): permit, start, first delivery, end (demolished or not realised),
    and the day observation ended (the extract's stand date)."""

    permit: np.ndarray
    start: np.ndarray
    delivery: np.ndarray
    end: np.ndarray
    until: np.ndarray


def spells(begin: np.ndarray, finish: np.ndarray, end: np.ndarray, until: np.ndarray) -> cal.Spells:
    """Spells of one step: from `begin` to `finish` (an event), else censored at `end` (left without finishing)
    or `until` (still waiting); only rows with a `begin`; a finish before its begin is left out (a correction in
    the BAG)."""
    has = (begin > 0) & ((finish == 0) | (finish >= begin))
    begin, finish, end, until = begin[has], finish[has], end[has], until[has]
    event = finish > 0
    stop = np.where(event, finish, np.where((end > 0) & (end < until), end, until))
    keep = stop >= begin
    days = (stop - begin)[keep].astype(np.float64)
    duration = np.maximum(days / cal.DAYS_PER_YEAR, cal.MIN_SPELL_YEARS)
    return cal.Spells(duration=duration, event=event[keep], truncation=np.zeros(len(duration)))


def fit(h: Histories) -> list[dict]:
    """Per step: the BAG fit and its prior (the sum of the matching peiling steps' prior means)."""
    out = []
    pairs = ((h.permit, h.start), (h.start, h.delivery))
    for (frm, to, steps), (begin, finish) in zip(STEPS, pairs, strict=True):
        prior_mean = float(sum(priors.STEP_MEAN_YEARS[p] for p in steps))
        found = spells(begin, finish, h.end, h.until)
        fitted = cal.fit_step(found if len(found.duration) else None, prior_mean, priors.STEP_SHAPE)
        median = float(np.median(found.duration[found.event])) if found.event.any() else None
        out.append({"from": frm, "to": to, "mean_years": round(fitted.mean, 3), "shape": round(fitted.shape, 2),
                    "prior_mean_years": round(prior_mean, 3), "median_observed_years": None if median is None
                    else round(median, 3), "events": fitted.events, "spells": fitted.spells,
                    "calibrated": fitted.calibrated})  # fmt: skip
    return out


def load() -> tuple[Histories, list[dict]]:
    """The histories per pand from the newest extract per municipality, and those extracts (file, stand)."""
    from bouwregie.bag.models import BagExtract, BagWoning
    from bouwregie.bag.queries import newest_extracts

    per_extract: dict[int, list] = {}
    for code, extract_id in newest_extracts().items():
        per_extract.setdefault(extract_id, []).append(code)
    stands = dict(BagExtract.objects.filter(id__in=list(per_extract)).values_list("id", "stand_date"))
    panden: dict[str, list] = {}

    def day(d):
        return d.toordinal() if d else 0

    for extract_id, codes in per_extract.items():
        until = stands[extract_id].toordinal()
        rows = BagWoning.objects.filter(extract_id=extract_id, municipality__in=codes, origin__in=("nieuwbouw", ""),
                                        permit_date__isnull=False).values_list(
            "identificatie", "pand_ids", "permit_date", "start_date", "delivery_date", "demolition_date",
            "not_realised_date")  # fmt: skip
        for ident, pand_ids, permit, start, delivery, demolition, not_realised in rows.iterator(chunk_size=20_000):
            key = f"{extract_id}:{pand_ids[0] if pand_ids else ident}"
            ended = min((day(d) for d in (demolition, not_realised) if d), default=0)
            row = panden.get(key)
            if row is None:
                panden[key] = [day(permit), day(start), day(delivery), ended, until]
            else:  # the pand's first delivery; its permit and start are the same for all its woningen
                if delivery and (row[2] == 0 or day(delivery) < row[2]):
                    row[2] = day(delivery)
                if ended and row[2] == 0:
                    row[3] = min(row[3] or ended, ended)
    table = np.array(list(panden.values()), dtype=np.int64).reshape(-1, 5)
    h = Histories(*(table[:, i] for i in range(5)))
    extracts = [{"file_name": e.file_name, "stand_date": e.stand_date.isoformat()}
                for e in BagExtract.objects.filter(id__in=list(per_extract)).order_by("stand_date", "id")]  # fmt: skip
    return h, extracts


@lru_cache(maxsize=4)
def _fitted(alias: str, extracts_key: tuple) -> tuple:
    """The fit per database and set of loaded extracts (an extract is never changed, only added)."""
    h, extracts = load()
    return fit(h), extracts, len(h.permit)


def calibration(peiling_steps: list[dict] | None = None) -> dict:
    """The BAG lead times beside the peiling-based ones (`peiling_steps`: Calibration.as_dict()['steps']; the
    peiling mean of permit → start is the sum of its steps' means)."""
    from django.db import connection

    from bouwregie.bag.models import BagExtract

    loaded = tuple(BagExtract.objects.order_by("id").values_list("id", "sha256"))  # woningen change only by a load
    steps, extracts, panden = _fitted(connection.alias, loaded)
    steps = [dict(s) for s in steps]
    for s, (_frm, _to, covered) in zip(steps, STEPS, strict=True):
        s["peiling_mean_years"] = (round(sum(peiling_steps[p]["mean_years"] for p in covered), 3)
                                   if peiling_steps else None)  # fmt: skip
    return {"extracts": extracts, "panden": panden, "steps": steps}
