"""One row of a list applied to what is recorded, and what that changes, field by field.

The rule (issue 15, docs/import.md "Wat een import doet"): a list changes only what it carries. A
field whose column(s) the list lacks keeps its recorded value; so does a field whose cell(s) this row
leaves empty; only the clear marker `#LEEG` clears a value. Milestone dates and the segment × housing
type cells of our template are merged cell by cell, because a quarterly update that gives only planned
dates must not erase the actual dates that record what happened. Pure functions over ProjectData.
"""

from dataclasses import replace

from django.utils.translation import gettext as _

from bouwregie.ingest.normalise import CLEAR
from bouwregie.projects.enums import Lifecycle
from bouwregie.projects.milestones import STANDARD_MILESTONES
from bouwregie.projects.rules import MilestoneData, ProjectData, canonical, delivery_phasing

EMPTY = ProjectData(name="", municipality="")
LABELS = {m.code: m.label for m in STANDARD_MILESTONES}


def apply_row(base: ProjectData | None, fields: dict, blank: set, cells: dict) -> ProjectData:
    """The version a row makes of `base` (None: a new project). fields: ProjectData attributes the row
    gives whole; blank: attributes it carries but leaves empty (kept); cells: cell-level changes (see
    mapping.RowResult.cells). Built in one step: an import applies tens of thousands of rows."""
    given = {k: v for k, v in fields.items() if k not in blank} if blank else dict(fields)
    recorded = base or EMPTY
    if "homes" in cells:
        homes = {segment: dict(by_type) for segment, by_type in recorded.homes.items()}
        for (segment, housing), count in cells["homes"].items():
            homes.setdefault(segment, {})[housing] = 0 if count is CLEAR else count
        given["homes"] = {s: {h: n for h, n in t.items() if n} for s, t in homes.items() if any(t.values())}
    if "source_info" in cells:
        info = dict(recorded.source_info)
        for key, value in cells["source_info"].items():
            info[key] = "" if value is CLEAR else value
        given["source_info"] = {k: v for k, v in info.items() if v}
    if "milestones" in cells or "deliveries" in cells:
        given["milestones"] = _merge_milestones(recorded.milestones, cells)
    if base is None:
        return ProjectData(**{"name": "", "municipality": "", "lifecycle": Lifecycle.ACTIEF, **given})
    if cells.get("in_list") and "lifecycle" not in given and base.lifecycle == Lifecycle.NIET_MEER_IN_PLANLIJST:
        given["lifecycle"] = Lifecycle.ACTIEF  # back in the list; a recorded 'gerealiseerd' stays
    return replace(base, **given)


def _merge_milestones(recorded: tuple, cells: dict) -> tuple:
    """Recorded milestones with the row's cells applied: a date or a count replaces one attribute of
    the first milestone of its kind; CLEAR empties it; the partial deliveries (sequence 2 and later)
    are replaced as a whole when the row gives them, cleared by CLEAR."""
    first = {m.kind: m for m in recorded if m.sequence == 1}
    later = [m for m in recorded if m.sequence != 1]
    for (kind, attribute), value in cells.get("milestones", {}).items():
        stone = first.get(kind) or MilestoneData(kind)
        first[kind] = replace(stone, **{attribute: None if value is CLEAR else value})
    deliveries = cells.get("deliveries")
    if deliveries is CLEAR:
        later = []
    elif deliveries is not None:
        later = list(deliveries)
    merged = [m for m in first.values() if m.planned or m.actual or m.homes] + later
    return tuple(merged)


# ---- what changes, for the preview -------------------------------------------------------------------
def _label(name: str) -> str:
    return {
        "name": _("Projectnaam"), "municipality": _("Gemeente"), "homes": _("Woningen"),
        "plan_type": _("Plantype"), "plan_status": _("Planstatus"), "lifecycle": _("Projectstatus"),
        "target_groups": _("Doelgroepen"), "tenure": _("Eigendom"), "demolitions": _("Sloop"),
        "phasing": _("Fasering"), "bottlenecks": _("Knelpunten"), "parallel_plannen": _("Parallel plannen"),
        "geometry": _("Geometrie"), "source_crs": _("Bron-CRS"), "source_info": _("Bronopmerking/peildatum"),
        "subsidies": _("Subsidies"), "open_book": _("Open boeken"), "bag_ids": _("BAG-id's"),
    }.get(name, name)  # fmt: skip


def _counts(d: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in d.items() if v) or ""


def _homes(homes: dict) -> str:
    total = sum(sum(t.values()) for t in homes.values())
    parts = [f"{s}/{h} {n}" for s, t in sorted(homes.items()) for h, n in sorted(t.items()) if n]
    return f"{total} ({', '.join(parts)})" if parts else str(total)


def _text(name: str, value) -> str:
    if value is None or value == "" or value == {} or value == ():
        return ""
    if name == "homes":
        return _homes(value)
    if name in ("target_groups", "tenure", "phasing", "source_info"):
        return _counts(value)
    if name in ("bottlenecks", "bag_ids"):
        return ", ".join(value)
    if name == "parallel_plannen":
        return _("ja") if value else _("nee")
    if name == "geometry":
        return value.get("type", "")
    return str(value)


def describe_changes(before: ProjectData, after: ProjectData) -> list[dict]:
    """Every field that differs, as {"field", "old", "new"} texts; milestones per kind and date."""
    a, b = canonical(before), canonical(after)
    result = []
    for name in ProjectData.__dataclass_fields__:
        if name == "milestones":
            continue
        old, new = getattr(a, name), getattr(b, name)
        if name == "phasing":  # the homes per year as they count: a dated oplevering sets them
            old, new = delivery_phasing(a), delivery_phasing(b)
        if old != new:
            text_old, text_new = _text(name, old), _text(name, new)
            if name == "geometry" and text_old == text_new:
                text_old, text_new = _("vorm A"), _("vorm B")
            result.append({"field": _label(name), "old": text_old, "new": text_new})
    result.extend(_milestone_changes(a.milestones, b.milestones))
    return result


def _milestone_changes(old: tuple, new: tuple) -> list[dict]:
    def keyed(stones):
        return {(m.kind, m.sequence): m for m in stones}

    before, after = keyed(old), keyed(new)
    result = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0], k[1])):
        m0, m1 = before.get(key), after.get(key)
        name = str(LABELS.get(key[0], key[0]))
        kind = name if key[1] == 1 else f"{name} {key[1]}"
        for attribute, label in (("planned", _("gepland")), ("actual", _("werkelijk")), ("homes", _("woningen"))):
            v0, v1 = getattr(m0, attribute, None), getattr(m1, attribute, None)
            if v0 != v1:
                result.append({"field": f"{kind} {label}", "old": "" if v0 is None else str(v0),
                               "new": "" if v1 is None else str(v1)})  # fmt: skip
    return result
