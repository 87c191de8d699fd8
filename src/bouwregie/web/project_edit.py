"""Edit one project in the browser: every change becomes a new version with a reason (the history
keeps the old one). What a user may change is the one policy's edit_scope: everything for its
gemeente, provincie or the beheerder; only the private milestones for a market party at the project.

The form posts the version it was based on; when someone else saved a newer version in the meantime,
nothing is written and the user is told, so no change is lost silently.
"""

from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.geo.models import Municipality
from bouwregie.projects import bag_ids, services
from bouwregie.projects.enums import Bottleneck, HousingType, Lifecycle, PlanStatus, PlanType, Segment
from bouwregie.projects.milestones import PRIVATE_MILESTONES, STANDARD_MILESTONES, private_milestones_only_message
from bouwregie.projects.models import Project
from bouwregie.projects.rules import MilestoneData, ProjectData, canonical, only_private_milestones_changed


def _project_or_404(code: str) -> Project:
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise Http404(_("Project '%s' bestaat niet.") % code)
    return project


@login_required
def edit_project(request, code: str):
    project = _project_or_404(code)
    number, data = services.current_data([project.id])[project.id]
    municipality = Municipality.objects.get(code=data.municipality)
    who = policy.principal_for(request.user)
    scope = policy.edit_scope(who, municipality.code, municipality.province_id, policy.parties_of(project.id))
    if scope is None:
        raise PermissionDenied(_("U mag dit project niet bewerken."))
    private_only = scope == policy.EDIT_PRIVATE_MILESTONES
    errors: dict[str, list[str]] = {}
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        new, errors = read_form(posted, data, private_only)
        reason = posted.get("reden", "").strip()
        if str(number) != posted.get("versie"):
            errors.setdefault("", []).append(
                _("Iemand anders heeft dit project intussen gewijzigd (nu versie %d). Uw wijziging is niet opgeslagen; "
                  "open het formulier opnieuw.") % number
            )  # fmt: skip
        elif not reason:
            errors.setdefault("reden", []).append(_("Geef een reden voor deze wijziging."))
        if not errors and private_only and not only_private_milestones_changed(data, new):
            errors.setdefault("", []).append(private_milestones_only_message())
        if not errors and new.municipality != data.municipality:
            target = Municipality.objects.filter(code=new.municipality).first()
            if target is None or not policy.can_edit_project(who, target.code, target.province_id):
                errors.setdefault("municipality", []).append(_("U mag geen projecten naar deze gemeente verplaatsen."))
        if not errors:
            if canonical(new) == canonical(data):
                messages.info(request, _("Niets gewijzigd; er is geen nieuwe versie gemaakt."))
                return redirect("project", code)
            meta = services.VersionMeta(author=request.user.get_username(), source="edit", reason=reason,
                                        source_detail=_("webformulier"))  # fmt: skip
            try:
                version = services.create_version(project, new, meta)
            except services.ProjectValidationError as invalid:
                for problem in invalid.problems:
                    errors.setdefault(problem.field, []).append(problem.message)
            else:
                messages.success(request, _("Opgeslagen als versie %d.") % version.number)
                return redirect("project", code)
    return render(request, "web/project_edit.html", {
        "nav": "projects", "code": code, "data": data, "number": number, "municipality": municipality,
        "private_only": private_only, "errors": errors, "reason": posted.get("reden", "") if posted else "",
        **form_context(posted, data, private_only),
    }, status=400 if errors else 200)  # fmt: skip


def _int(text: str) -> int | None:
    text = (text or "").strip().replace(".", "")
    return int(text) if text.isdigit() else None


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def read_form(post, data: ProjectData, private_only: bool) -> tuple[ProjectData, dict[str, list[str]]]:
    """The posted form as a new ProjectData, with the errors of fields that could not be read."""
    errors: dict[str, list[str]] = {}
    changes: dict = {}
    if not private_only:
        changes["name"] = post.get("name", "").strip()
        for field_name, enum in (("plan_status", PlanStatus), ("plan_type", PlanType), ("lifecycle", Lifecycle)):
            value = post.get(field_name, "")
            if value not in enum.values:
                errors.setdefault(field_name, []).append(_("Kies een waarde uit de lijst."))
            changes[field_name] = value
        homes: dict = {}
        for segment in Segment.values:
            for housing in HousingType.values:
                raw = post.get(f"woningen_{segment}_{housing}", "").strip()
                count = _int(raw) if raw else 0
                if count is None:
                    errors.setdefault("homes", []).append(
                        _("'%s' is geen aantal woningen (een heel getal van 0 of meer).") % raw
                    )
                elif count:
                    homes.setdefault(segment, {})[housing] = count
        changes["homes"] = homes
        changes["bottlenecks"] = tuple(b for b in post.getlist("knelpunten") if b in Bottleneck.values)
        changes["parallel_plannen"] = post.get("parallel_plannen") == "ja"
        if "bag_ids" in post:  # a form without the field (an older page) keeps the recorded ids
            found, problems, _warnings = bag_ids.parse(post["bag_ids"])  # a repeated id is simply kept once
            if problems:
                errors["bag_ids"] = problems
            changes["bag_ids"] = found
    editable = {m.code for m in STANDARD_MILESTONES if not private_only or m.code in PRIVATE_MILESTONES}
    kept = [m for m in data.milestones if m.kind not in editable or m.sequence != 1]
    edited = []
    for kind in sorted(editable):
        try:
            planned, actual = _date(post.get(f"gepland_{kind}", "")), _date(post.get(f"werkelijk_{kind}", ""))
        except ValueError:
            errors.setdefault("milestones", []).append(_("Een datum is niet te lezen; gebruik de datumkiezer."))
            continue
        homes_text = post.get(f"woningen_{kind}", "").strip()
        homes = _int(homes_text) if homes_text else None
        if homes_text and homes is None:
            errors.setdefault("milestones", []).append(_("'%s' is geen aantal woningen.") % homes_text)
        if planned or actual or homes:  # all empty: the milestone is removed
            edited.append(MilestoneData(kind, planned, actual, homes, 1))
    changes["milestones"] = tuple(kept + edited)
    return replace(data, **changes), errors


def form_context(post, data: ProjectData, private_only: bool) -> dict:
    """What the form shows: the posted values after an error, else the current version's."""

    def value(name, current):
        return post.get(name, "") if post is not None else current

    current_homes = data.homes
    homes_rows = [
        (Segment(s).label, [(f"woningen_{s}_{h}", HousingType(h).label,
                             value(f"woningen_{s}_{h}", current_homes.get(s, {}).get(h, "") or ""))
                            for h in HousingType.values])
        for s in Segment.values
    ]  # fmt: skip
    by_kind = {m.kind: m for m in data.milestones if m.sequence == 1}
    milestones = []
    for m in STANDARD_MILESTONES:
        old = by_kind.get(m.code)
        milestones.append({
            "code": m.code, "label": m.label, "private": m.code in PRIVATE_MILESTONES,
            "editable": not private_only or m.code in PRIVATE_MILESTONES, "partial": m.partial_allowed,
            "planned": value(f"gepland_{m.code}", old.planned.isoformat() if old and old.planned else ""),
            "actual": value(f"werkelijk_{m.code}", old.actual.isoformat() if old and old.actual else ""),
            "homes": value(f"woningen_{m.code}", old.homes if old and old.homes else ""),
        })  # fmt: skip
    chosen = post.getlist("knelpunten") if post is not None else list(data.bottlenecks)
    return {
        "name": value("name", data.name),
        "selects": [
            ("plan_status", _("Planstatus"), PlanStatus.choices, value("plan_status", data.plan_status)),
            ("plan_type", _("Plantype"), PlanType.choices, value("plan_type", data.plan_type)),
            ("lifecycle", _("Projectstatus"), Lifecycle.choices, value("lifecycle", data.lifecycle)),
        ],
        "homes_rows": homes_rows, "housing_types": HousingType.choices,
        "bottlenecks": [(b, label, b in chosen) for b, label in Bottleneck.choices],
        "parallel": (post.get("parallel_plannen") == "ja") if post is not None else data.parallel_plannen,
        "bag_ids": value("bag_ids", "\n".join(data.bag_ids)),
        "milestones": milestones, "today": timezone.localdate(),
        "later_sequences": [m for m in data.milestones if m.sequence > 1],
    }  # fmt: skip
