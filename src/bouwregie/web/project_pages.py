"""Project list (search, filters, sorting, pages, export to CSV/Excel) and the project page (every
attribute, milestones planned against actual, the history of versions with what changed).

Who may see these is decided by accounts.policy, as for the REST API; the list asks projects.search,
as the API does, so both show the same projects for the same filters.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.accounts import policy
from bouwregie.accounts.models import ProjectParty
from bouwregie.geo.areas import UnknownArea
from bouwregie.ingest import export
from bouwregie.monitor.delays import delayed_since_last_peiling
from bouwregie.projects import search
from bouwregie.projects.enums import Bottleneck, PlanStatus, PlanType, Segment
from bouwregie.projects.milestones import MILESTONE_CODES, phase_label
from bouwregie.projects.models import ExternalId, Milestone, ProjectVersion
from bouwregie.projects.rules import SEGMENTS
from bouwregie.web.downloads import table_download

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000  # every project of the country fits; beyond this an export is a database dump


def require_projects(request) -> policy.Principal:
    """Views call this after login_required (anonymous visitors are sent to the sign-in page)."""
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    return who


def _query(request) -> tuple[search.ProjectQuery, dict]:
    """The filters as the form shows them, and as a ProjectQuery."""
    get = request.GET
    names = ("gebied", "zoek", "planstatus", "fase", "segment", "knelpunt", "sorteer", "vertraagd")
    form = {k: get.get(k, "").strip() for k in names}
    query = search.ProjectQuery(
        area=form["gebied"] or None, search=form["zoek"] or None, plan_status=form["planstatus"] or None,
        phase=None if form["fase"] == "" else ("" if form["fase"] == "geen" else form["fase"]),
        segment=form["segment"] or None, bottleneck=form["knelpunt"] or None, sort=form["sorteer"] or "code",
    )  # fmt: skip
    return query, form


def _with_delayed(query: search.ProjectQuery, form: dict) -> search.ProjectQuery:
    """'Alleen vertraagd': the projects that slipped between the two latest closed peilingen."""
    if form["vertraagd"] == "ja":
        query.project_ids = delayed_since_last_peiling(query.area or "NL")
    return query


def _found(request):
    query, form = _query(request)
    try:
        return search.find(_with_delayed(query, form)), form, None
    except UnknownArea as error:
        return ProjectVersion.objects.none(), form, str(error)
    except ValueError as error:
        return ProjectVersion.objects.none(), form, _("Ongeldige keuze: %s.") % error


@login_required
def project_list(request):
    require_projects(request)
    versions, form, error = _found(request)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "web/project_list.html", {
        "nav": "projects", "page": page, "form": form, "error": error, "query": query.urlencode(),
        "selects": _selects(form), "rows": [_row(v) for v in page.object_list],
    }, status=400 if error else 200)  # fmt: skip


def _selects(form: dict) -> list[tuple]:
    """The drop-down filters: (name, label, options, chosen value, whether 'alle' is an option)."""
    return [
        ("planstatus", _("Planstatus"), [("hard", _("hard (1A–2C)")), ("zacht", _("zacht (3–4B)")),
                                        *PlanStatus.choices], form["planstatus"], True),
        ("fase", _("Fase"), [("geen", phase_label("")), *((c, phase_label(c)) for c in MILESTONE_CODES)],
         form["fase"], True),
        ("segment", _("Segment"), Segment.choices, form["segment"], True),
        ("knelpunt", _("Knelpunt"), Bottleneck.choices, form["knelpunt"], True),
        ("sorteer", _("Sorteer op"), [("code", _("Projectcode")), ("naam", _("Naam")), ("gemeente", _("Gemeente")),
                                      ("-woningen", _("Meeste woningen")), ("woningen", _("Minste woningen")),
                                      ("planstatus", _("Planstatus")), ("fase", _("Fase")),
                                      ("-bijgewerkt", _("Laatst bijgewerkt"))], form["sorteer"], False),
    ]  # fmt: skip


def _row(v: ProjectVersion) -> dict:
    return {
        "code": v.project.code, "name": v.name, "municipality": v.municipality.name, "homes": v.homes_total,
        "affordable": v.homes_sociale_huur + v.homes_middenhuur + v.homes_betaalbare_koop,
        "plan_status": PlanStatus(v.plan_status).label if v.plan_status in PlanStatus.values else v.plan_status,
        "phase": phase_label(v.phase), "updated": v.created_at,
    }  # fmt: skip


@login_required
def project_export(request, fmt: str):
    """The filtered list as CSV (semicolons, UTF-8 with BOM: opens as columns in Dutch Excel) or .xlsx, in the
    columns of the import template (ingest.export, what `bouwregie export` writes)."""
    require_projects(request)
    versions, _form, error = _found(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    # The import template's columns (issue #19): the download goes back in through the upload without a profile.
    rows = export.table(export.rows(project_ids=[v.project_id for v in versions[:EXPORT_LIMIT]]))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return table_download(rows, f"projecten-{stamp}", fmt, _("Projecten"))


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
    stones = list(Milestone.objects.filter(version=current))
    parties = list(ProjectParty.objects.filter(project=current.project).select_related("organisation"))
    party_ids = frozenset(p.organisation_id for p in parties)
    return render(request, "web/project.html", {
        "nav": "projects", "v": current, "code": code,
        "plan_status": PlanStatus(current.plan_status).label if current.plan_status in PlanStatus.values else "",
        "plan_type": PlanType(current.plan_type).label if current.plan_type in PlanType.values else "",
        "segments": [(Segment(s).label, getattr(current, f"homes_{s}")) for s in SEGMENTS],
        "bottlenecks": [Bottleneck(b).label for b in current.bottlenecks if b in Bottleneck.values],
        "timeline": timeline(stones, timezone.localdate()),
        "history": history(versions, Milestone.objects.filter(version__in=versions)),
        "edit_scope": policy.edit_scope(who, municipality, province, party_ids),
        "parties": parties,
        "external_ids": ExternalId.objects.filter(project=current.project).order_by("source", "external_id"),
        "open_book": current.open_book if policy.can_read_open_book(who, municipality, province, party_ids) else None,
    })  # fmt: skip


def timeline(stones: list[Milestone], today: date) -> list[dict]:
    """Milestones in PPM order, planned against actual; a planned date passed without an actual one is late."""
    order = {code: i for i, code in enumerate(MILESTONE_CODES)}
    rows = []
    for m in sorted(stones, key=lambda m: (order.get(m.kind, 99), m.kind, m.sequence)):
        late_days = (m.actual - m.planned).days if m.actual and m.planned else None
        overdue = m.actual is None and m.planned is not None and m.planned < today
        rows.append({
            "label": phase_label(m.kind) + (f" ({m.sequence})" if m.sequence > 1 else ""), "planned": m.planned,
            "actual": m.actual, "homes": m.homes, "late_days": late_days if late_days and late_days > 0 else None,
            "overdue": overdue,
        })  # fmt: skip
    return rows


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
