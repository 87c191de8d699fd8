"""Project list (search, filters, sorting, pages, export to CSV/Excel) and the project page (every
attribute, milestones planned against actual, the history of versions with what changed).

Who may see these is decided by accounts.policy, as for the REST API; the list asks projects.search,
as the API does, so both show the same projects for the same filters.
"""

import itertools
from datetime import date
from functools import cached_property

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bouwregie.accounts import policy
from bouwregie.accounts.models import ProjectParty
from bouwregie.geo.areas import UnknownArea
from bouwregie.ingest import export
from bouwregie.monitor.delays import delayed_since_last_peiling
from bouwregie.projects import bag_ids, search
from bouwregie.projects import timeline as timelines
from bouwregie.projects.enums import Bottleneck, Lifecycle, PlanStatus, PlanType, Segment
from bouwregie.projects.milestones import MILESTONE_CODES, phase_label
from bouwregie.projects.models import ExternalId, Milestone, MilestoneKind, PeilingEntry, ProjectVersion
from bouwregie.projects.rules import SEGMENTS, MilestoneData
from bouwregie.registraties.project import registrations
from bouwregie.web.downloads import streamed_download

PAGE_SIZE = 50


def require_projects(request) -> policy.Principal:
    """Views call this after login_required (anonymous visitors are sent to the sign-in page)."""
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    return who


FILTERS = ("gebied", "zoek", "status", "planstatus", "fase", "segment", "knelpunt", "sorteer", "vertraagd", "mijn")
# The columns of the list, each with the sort key its header sorts on (search.SORTS).
COLUMNS = [
    ("code", gettext_lazy("Code")), ("naam", gettext_lazy("Naam")), ("gemeente", gettext_lazy("Gemeente")),
    ("woningen", gettext_lazy("Woningen")), (None, gettext_lazy("Betaalbaar")),
    ("planstatus", gettext_lazy("Planstatus")), ("fase", gettext_lazy("Fase")),
    ("oplevering", gettext_lazy("Oplevering gepland")),
]  # fmt: skip
# The sort choices of the drop-down (each also descending); the column headers sort on the same keys.
SORT_LABELS = [
    ("code", gettext_lazy("Projectcode")), ("naam", gettext_lazy("Naam")), ("gemeente", gettext_lazy("Gemeente")),
    ("woningen", gettext_lazy("Woningen")), ("planstatus", gettext_lazy("Planstatus")), ("fase", gettext_lazy("Fase")),
    ("oplevering", gettext_lazy("Oplevering gepland")), ("bijgewerkt", gettext_lazy("Laatst bijgewerkt")),
]  # fmt: skip
ALL = "alle"


def _query(request) -> tuple[search.ProjectQuery, dict]:
    """The filters as the form shows them, and as a ProjectQuery (status: actief unless chosen)."""
    form = {k: request.GET.get(k, "").strip() for k in FILTERS}
    form["status"] = form["status"] or Lifecycle.ACTIEF
    form["sorteer"] = form["sorteer"] or "code"
    query = search.ProjectQuery(
        area=form["gebied"] or None, search=form["zoek"] or None, plan_status=form["planstatus"] or None,
        phase=None if form["fase"] == "" else ("" if form["fase"] == "geen" else form["fase"]),
        segment=form["segment"] or None, bottleneck=form["knelpunt"] or None, sort=form["sorteer"],
        lifecycle=None if form["status"] == ALL else form["status"],
    )  # fmt: skip
    return query, form


def _unknown_value(form: dict, who: policy.Principal) -> str | None:
    """The first filter whose value is not one of its choices, as a message naming the filter and the value
    (issue #19: an unknown value answered an empty list, as if no project matched)."""
    selects = _selects(form)
    choices = {name: ([""] if any_ else []) + [str(option) for option, _text in options]
               for name, _label, options, _value, any_ in selects}  # fmt: skip
    choices["vertraagd"] = ["", "ja"]
    choices["mijn"] = ["", "ja"] if policy.own_project_organisations(who) else [""]
    labels = {name: str(label) for name, label, *_rest in selects}
    labels |= {"vertraagd": _("Alleen vertraagd"), "mijn": _("Mijn projecten")}
    for name, allowed in choices.items():
        if form[name] not in allowed:
            return _("'%(value)s' is geen keuze bij %(filter)s. Kies een waarde uit de lijst.") % {
                "value": form[name], "filter": labels[name]}  # fmt: skip
    return None


def _restricted(query: search.ProjectQuery, form: dict, who: policy.Principal) -> search.ProjectQuery:
    """'Alleen vertraagd': the projects that slipped between the two latest closed peilingen; 'Mijn projecten':
    those where one of the user's market parties is recorded (accounts.policy.own_project_organisations)."""
    if form["vertraagd"] == "ja":
        query.project_ids = delayed_since_last_peiling(query.area or "NL")
    if form["mijn"] == "ja":
        organisations = policy.own_project_organisations(who)
        parties = ProjectParty.objects.filter(organisation_id__in=organisations)
        mine = frozenset(parties.values_list("project_id", flat=True))
        query.project_ids = mine if query.project_ids is None else query.project_ids & mine
    return query


def _found(request, who: policy.Principal):
    """(the matching current versions, the form, an error message or None, how many match, the query)."""
    query, form = _query(request)
    unknown = _unknown_value(form, who)
    if unknown:
        return ProjectVersion.objects.none(), form, unknown, 0, None
    try:
        query = _restricted(query, form, who)
        return search.find(query), form, None, search.count(query), query
    except UnknownArea as error:
        return ProjectVersion.objects.none(), form, str(error), 0, None
    except ValueError as error:
        return ProjectVersion.objects.none(), form, _("Ongeldige keuze: %s.") % error, 0, None


class CountedPaginator(Paginator):
    """Pages of a list whose length is known already: search.count answers from the current-version index
    alone when only area and status filter, where counting the list itself joins every version (0.05–0.1 s
    on the 25,000-project demo)."""

    def __init__(self, object_list, per_page, total: int):
        super().__init__(object_list, per_page)
        self.total = total

    @cached_property
    def count(self) -> int:
        return self.total


@login_required
def project_list(request):
    who = require_projects(request)
    versions, form, error, total, found_by = _found(request, who)
    if not error and "planned_delivery" not in versions.query.annotations:
        versions = search.with_planned_delivery(versions)
    page = CountedPaginator(versions, PAGE_SIZE, total).get_page(request.GET.get("pagina"))
    objects = page.object_list
    ids = None if error else search.page_version_ids(found_by, (page.number - 1) * PAGE_SIZE, PAGE_SIZE)
    if ids is not None:  # the usual question: the page's versions by id (search.page_version_ids)
        chosen = ProjectVersion.objects.filter(id__in=ids).select_related("project", "municipality")
        by_id = {v.id: v for v in search.with_planned_delivery(chosen.defer(*search.LIST_DEFERRED))}
        objects = [by_id[i] for i in ids]
    query = request.GET.copy()
    query.pop("pagina", None)
    unsorted = query.copy()
    unsorted.pop("sorteer", None)
    elsewhere = None
    if not error and page.paginator.count == 0 and form["zoek"] and form["status"] != ALL:
        other = _query(request)[0]
        other.lifecycle = None
        elsewhere = search.count(_restricted(other, form, who))
        all_statuses = query.copy()
        all_statuses["status"] = ALL
        elsewhere = {"n": elsewhere, "query": all_statuses.urlencode()} if elsewhere else None
    return render(request, "web/project_list.html", {
        "nav": "projects", "page": page, "form": form, "error": error, "query": query.urlencode(),
        "selects": _selects(form), "rows": [_row(v) for v in objects],
        "columns": _columns(form["sorteer"], unsorted.urlencode()), "pages": page_numbers(page.number,
                                                                                          page.paginator.num_pages),
        "mine": bool(policy.own_project_organisations(who)), "show_status": form["status"] == ALL,
        "elsewhere": elsewhere,
    }, status=400 if error else 200)  # fmt: skip


def _columns(sort: str, query: str) -> list[dict]:
    """The header of each column: its sort link (ascending first; the sorted column's link reverses it) and
    aria-sort for the column the list is sorted on."""
    result = []
    for key, label in COLUMNS:
        column = {"label": label, "key": key, "href": None, "aria_sort": None}
        if key:
            current, descending = sort.lstrip("-") == key, sort.startswith("-")
            target = f"-{key}" if current and not descending else key
            column["href"] = f"?{query}&sorteer={target}" if query else f"?sorteer={target}"
            column["aria_sort"] = ("descending" if descending else "ascending") if current else None
        result.append(column)
    return result


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page links of a list: the first, the last, and `around` pages on each side of the current one;
    None where pages are left out (shown as '…')."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    result: list[int | None] = []
    for number in shown:
        if result and number - result[-1] > 1:
            result.append(None)
        result.append(number)
    return result


def _selects(form: dict) -> list[tuple]:
    """The drop-down filters: (name, label, options, chosen value, whether 'alle' is an option)."""
    sorts = [(f"{sign}{key}", f"{label} ({_('aflopend') if sign else _('oplopend')})")
             for key, label in SORT_LABELS for sign in ("", "-")]  # fmt: skip
    own_kinds = [(c, label) for c, label in MilestoneKind.objects.order_by("order").values_list("code", "label")]
    return [
        ("status", _("Projectstatus"), [*Lifecycle.choices, (ALL, _("alle statussen"))], form["status"], False),
        ("planstatus", _("Planstatus"), [("hard", _("hard (1A–2C)")), ("zacht", _("zacht (3–4B)")),
                                        *PlanStatus.choices], form["planstatus"], True),
        ("fase", _("Fase"), [("geen", phase_label("")), *((c, phase_label(c)) for c in MILESTONE_CODES), *own_kinds],
         form["fase"], True),
        ("segment", _("Segment"), Segment.choices, form["segment"], True),
        ("knelpunt", _("Knelpunt"), Bottleneck.choices, form["knelpunt"], True),
        ("sorteer", _("Sorteer op"), sorts, form["sorteer"], False),
    ]  # fmt: skip


def _row(v: ProjectVersion) -> dict:
    return {
        "code": v.project.code, "name": v.name, "municipality": v.municipality.name, "homes": v.homes_total,
        "affordable": v.homes_sociale_huur + v.homes_middenhuur + v.homes_betaalbare_koop,
        "plan_status": PlanStatus(v.plan_status).label if v.plan_status in PlanStatus.values else v.plan_status,
        "phase": phase_label(v.phase), "updated": v.created_at,
        "delivery": getattr(v, "planned_delivery", None), "lifecycle": Lifecycle(v.lifecycle).label,
    }  # fmt: skip


@login_required
def project_export(request, fmt: str):
    """The filtered list as CSV (semicolons, UTF-8 with BOM: opens as columns in Dutch Excel) or .xlsx, in the
    columns of the import template (ingest.export, what `bouwregie export` writes). Every matching project, however
    many (issue #21: it stopped silently at 100,000), streamed so that memory stays flat."""
    who = require_projects(request)
    versions, _form, error, _total, _query_used = _found(request, who)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    # The import template's columns (issue #19): the download goes back in through the upload without a profile.
    rows = export.table(export.rows(project_ids=list(versions.values_list("project_id", flat=True))))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return streamed_download(rows, f"projecten-{stamp}", fmt, _("Projecten"))


@login_required
def project_page(request, code: str):
    who = require_projects(request)
    versions = list(
        ProjectVersion.objects.filter(project__code=code).select_related("project", "municipality__province",
                                                                         "peiling").order_by("number")
    )  # fmt: skip
    if not versions:
        raise Http404(_("Project '%s' bestaat niet.") % code)
    current = versions[-1]
    municipality, province = current.municipality_id, current.municipality.province_id
    all_stones = list(Milestone.objects.filter(version__in=versions))
    parties = list(ProjectParty.objects.filter(project=current.project).select_related("organisation"))
    party_ids = frozenset(p.organisation_id for p in parties)
    return render(request, "web/project.html", {
        "nav": "projects", "v": current, "code": code,
        "plan_status": PlanStatus(current.plan_status).label if current.plan_status in PlanStatus.values else "",
        "plan_type": PlanType(current.plan_type).label if current.plan_type in PlanType.values else "",
        "segments": [(Segment(s).label, getattr(current, f"homes_{s}")) for s in SEGMENTS],
        "bottlenecks": [Bottleneck(b).label for b in current.bottlenecks if b in Bottleneck.values],
        "bag_ids": [(i, BAG_OBJECT_TYPES[bag_ids.object_type(i)]) for i in current.bag_ids],
        **milestone_timeline(versions, all_stones, timezone.localdate()),
        "history": history(versions, all_stones),
        "edit_scope": policy.edit_scope(who, municipality, province, party_ids),
        "parties": parties,
        "external_ids": ExternalId.objects.filter(project=current.project).order_by("source", "external_id"),
        "open_book": current.open_book if policy.can_read_open_book(who, municipality, province, party_ids) else None,
        "registraties": registrations(current.project_id, timezone.localdate()),
    })  # fmt: skip


def _data(m: Milestone) -> MilestoneData:
    return MilestoneData(m.kind, m.planned, m.actual, m.homes, m.sequence)


def milestone_timeline(versions: list[ProjectVersion], stones: list[Milestone], today: date) -> dict:
    """The timeline of the current version (projects.timeline): the table's rows with their slips in words,
    the chart's bars and axis, and the peiling the slips are counted from."""
    by_version: dict[int, list[MilestoneData]] = {}
    for m in stones:
        by_version.setdefault(m.version_id, []).append(_data(m))
    entry = (
        PeilingEntry.objects.filter(project_id=versions[-1].project_id, peiling__closed_at__isnull=False)
        .select_related("peiling").order_by("-peiling__year", "-peiling__quarter").first()
    )  # fmt: skip
    at_peiling = timelines.dates_of(by_version.get(entry.version_id, [])) if entry else None
    first = timelines.first_dates(by_version.get(v.id, []) for v in versions)
    rows = timelines.timeline(by_version.get(versions[-1].id, []), first, at_peiling, today)
    scale = timelines.scale_for(rows, today)
    drawn = timelines.bars(rows, scale) if scale else []
    return {
        "timeline": [{
            "label": phase_label(r.kind) + (f" ({r.sequence})" if r.sequence > 1 else ""), "planned": r.planned,
            "actual": r.actual, "homes": r.homes, "late_days": r.late_days, "overdue": r.overdue, "first": r.first,
            "since_first": slip_text(r.slip_since_first), "since_peiling": slip_text(r.slip_since_peiling),
            "slipped": bool(r.slip_since_first and r.slip_since_first > 0), "bars": bars,
        } for r, bars in itertools.zip_longest(rows, drawn)],
        "timeline_peiling": entry.peiling.code if entry else None,
        "timeline_years": scale.years() if scale else [],
        "timeline_today": scale.x(today) if scale else None,
    }  # fmt: skip


def slip_text(days: int | None) -> str:
    """A slip in Dutch words: days up to six weeks, months (of 30.4 days, rounded) beyond."""
    if days is None:
        return "–"
    if days == 0:
        return _("op schema")
    size = abs(days)
    if size <= 42:
        amount = ngettext("%(n)d dag", "%(n)d dagen", size) % {"n": size}
    else:
        months = round(size / (365.25 / 12))
        amount = ngettext("%(n)d maand", "%(n)d maanden", months) % {"n": months}
    return (_("%s later") if days > 0 else _("%s eerder")) % amount


BAG_OBJECT_TYPES = {"verblijfsobject": gettext_lazy("verblijfsobject"), "pand": gettext_lazy("pand")}
HISTORY_FIELDS = [
    ("name", gettext_lazy("naam")),
    ("municipality_id", gettext_lazy("gemeente")),
    ("lifecycle", gettext_lazy("projectstatus")),
    ("plan_type", gettext_lazy("plantype")),
    ("plan_status", gettext_lazy("planstatus")),
    ("phase", gettext_lazy("fase")),
    ("homes_total", gettext_lazy("woningen")),
    ("homes_by_segment", gettext_lazy("woningen per segment")),
    ("phasing", gettext_lazy("fasering")),
    ("bottlenecks", gettext_lazy("knelpunten")),
    ("bag_ids", gettext_lazy("BAG-id's")),
    ("geometry", gettext_lazy("ligging")),
]


def history(versions: list[ProjectVersion], milestones) -> list[dict]:
    """Newest first: each version with who, when, why, in which peiling, which attributes changed and
    which milestones moved (planned or actual date, homes)."""
    stones: dict[int, dict] = {}
    for m in milestones:
        stones.setdefault(m.version_id, {})[m.kind, m.sequence] = (m.planned, m.actual, m.homes)
    rows, previous = [], None
    for v in versions:
        changed = [str(label) for name, label in HISTORY_FIELDS
                   if previous is not None and getattr(v, name) != getattr(previous, name)]  # fmt: skip
        moved = milestone_changes(stones.get(previous.id, {}), stones.get(v.id, {})) if previous else []
        rows.append({"v": v, "changed": changed, "milestones": moved, "first": previous is None})
        previous = v
    return rows[::-1]


def milestone_changes(before: dict, after: dict) -> list[str]:
    """'Start bouw: gepland 1-3-2027 → 1-6-2027' for every milestone that differs between two versions."""
    order = {code: i for i, code in enumerate(MILESTONE_CODES)}

    def day(d):
        return f"{d.day}-{d.month}-{d.year}" if d else "–"

    lines = []
    for kind, sequence in sorted(before.keys() | after.keys(), key=lambda k: (order.get(k[0], 99), k)):
        was, now = before.get((kind, sequence), (None, None, None)), after.get((kind, sequence), (None, None, None))
        label = phase_label(kind) + (f" ({sequence})" if sequence > 1 else "")
        for i, what in ((0, _("gepland")), (1, _("werkelijk"))):
            if was[i] != now[i]:
                lines.append(f"{label}: {what} {day(was[i])} → {day(now[i])}")
        if was[2] != now[2]:
            lines.append(f"{label}: {_('woningen')} {was[2] or '–'} → {now[2] or '–'}")
    return lines
