"""The quarterly update in the browser: upload a plan list, see what it would change, confirm or cancel.

The steps themselves (keep the file, dry run as a background job, decide) are ingest.uploads, shared
with the REST API; this module is the form and the pages: the preview shows new, changed and missing
projects, per municipality, and every validation message in plain language.
"""

import io
import re

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bouwregie import limits
from bouwregie.accounts import policy
from bouwregie.geo.models import Municipality
from bouwregie.ingest import column_guide, uploads
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.profiles import profile_paths
from bouwregie.ingest.readers import SUPPORTED
from bouwregie.ingest.report import write_problems
from bouwregie.projects import services
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.project_pages import require_projects
from bouwregie.web.templatetags.notation import datum

LOG_SIZE = 50
DIFF_INLINE = 3  # a changed project with more changed fields than this shows them folded (<details>)
CHANGE_LABELS = {
    "name": gettext_lazy("naam"),
    "municipality": gettext_lazy("gemeente"),
    "homes": gettext_lazy("woningen"),
    "plan_type": gettext_lazy("plantype"),
    "plan_status": gettext_lazy("planstatus"),
    "lifecycle": gettext_lazy("projectstatus"),
    "target_groups": gettext_lazy("doelgroepen"),
    "tenure": gettext_lazy("huur/koop"),
    "demolitions": gettext_lazy("sloop"),
    "phasing": gettext_lazy("fasering"),
    "bottlenecks": gettext_lazy("knelpunten"),
    "bag_ids": gettext_lazy("BAG-id's"),
    "parallel_plannen": gettext_lazy("parallel plannen"),
    "subsidies": gettext_lazy("subsidies"),
    "open_book": gettext_lazy("open boek"),
    "geometry": gettext_lazy("ligging"),
    "source_crs": gettext_lazy("coördinatenstelsel"),
    "milestones": gettext_lazy("mijlpalen"),
    "source_info": gettext_lazy("bronvermelding"),
}


def _require_import(request) -> policy.Principal:
    who = policy.principal_for(request.user)
    if not policy.can_import(who):
        raise PermissionDenied(_("Alleen gemeenten en provincies met een bewerkersrol kunnen planlijsten uploaden."))
    return who


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Bestand"))
    source = forms.CharField(
        label=gettext_lazy("Bron"),
        max_length=100,
        help_text=gettext_lazy(
            "Wie de lijst levert, bijvoorbeeld ‘Provincie Utrecht’. Projecten "
            "van deze bron die in de nieuwe lijst ontbreken, worden gemarkeerd "
            "als ‘niet meer in planlijst’."
        ),
    )
    profile = forms.ChoiceField(label=gettext_lazy("Kolomprofiel"), required=False)
    sheet = forms.CharField(
        label=gettext_lazy("Werkblad of laag"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Alleen nodig als het bestand er meer dan één heeft."),
    )
    header_row = forms.IntegerField(
        label=gettext_lazy("Kopregel"),
        min_value=1,
        max_value=limits.int_range(ImportRun, "header_row")[1],  # the import log's column (issue #16)
        required=False,
        help_text=gettext_lazy("Alleen nodig als de kopregel niet vanzelf wordt gevonden: het regelnummer, vanaf 1."),
    )
    peiling = forms.CharField(
        label=gettext_lazy("Peiling"),
        max_length=7,
        required=False,
        help_text=gettext_lazy("Het kwartaal waarover de lijst gaat, bijvoorbeeld 2026-Q4."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "%(types)s; een shapefile als .zip met .shp, .dbf en .prj; hooguit %(mb)s MB."
        ) % {"types": ", ".join(SUPPORTED), "mb": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}"}
        self.fields["profile"].choices = [("", _("automatisch kiezen")), *((n, n) for n in profile_paths())]
        for form_field in self.fields.values():
            is_select = isinstance(form_field.widget, forms.Select)
            form_field.widget.attrs["class"] = "utrecht-select" if is_select else "utrecht-textbox"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = uploads.upload_problem(upload.name, upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload

    def clean_peiling(self):
        code = self.cleaned_data["peiling"].strip().upper()
        if code:
            try:
                services.parse_peiling_code(code)
            except ValueError as error:
                raise forms.ValidationError(str(error)) from None
        return code


@login_required
def imports_page(request):
    """The import log, and the upload form for those who may import."""
    who = require_projects(request)
    may_import = policy.can_import(who)
    form = UploadForm(request.POST or None, request.FILES or None) if may_import else None
    if request.method == "POST":
        _require_import(request)
        if form.is_valid():
            data = form.cleaned_data
            job = uploads.start_preview(data["file"], request.user, data["source"], data["profile"],
                                        data["sheet"].strip(), data["peiling"], data["header_row"])  # fmt: skip
            return redirect("job", job.pk)
    else:
        uploads.forget_stale_uploads()  # explicit and cheap: old previews' files and orphaned folders
    runs = ImportRun.objects.defer("problems", "changes", "by_municipality")[:LOG_SIZE]
    return render(
        request,
        "web/imports.html",
        {"nav": "imports", "form": form, "runs": runs},
        status=400 if form is not None and form.errors else 200,
    )


def _run_or_404(run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(pk=run_id).select_related("applied_as").first()
    if run is None:
        raise Http404(_("Import #%d bestaat niet.") % run_id)
    return run


@login_required
def import_page(request, run_id: int):
    """One import: the preview of an upload (with confirm / cancel), or the outcome of an import."""
    require_projects(request)
    run = _run_or_404(run_id)
    names = dict(Municipality.objects.values_list("code", "name"))
    decidable = uploads.decidable(run, request.user)
    changes = {kind: [_change_row(run, kind, e, names) for e in run.changes.get(kind, [])]
               for kind in ("new", "changed", "missing")}  # fmt: skip
    municipalities = sorted(((names.get(code, code), code, row) for code, row in run.by_municipality.items()))
    return render(
        request,
        "web/import.html",
        {
            "nav": "imports",
            "run": run,
            "c": run.counts,
            "changes": changes,
            "municipalities": municipalities,
            "errors": sum(p["severity"] == "fout" for p in run.problems),
            "decidable": decidable,
            "stuck": decidable and uploads.stuck(run),
            "problems": run.problems[:1000],
            "more_problems": max(0, len(run.problems) - 1000),
        },
    )


def _change_row(run: ImportRun, kind: str, entry: dict, names: dict) -> dict:
    """One project of the preview or result as the page shows it. `link`: whether its projectcode names a
    stored project — a changed or missing one always (the importer matched a stored project), a new one only
    once an import wrote it (a preview's new projects do not exist yet). `diff` ({field, old, new}, texts
    the importer wrote) is absent in runs from before issue 15: the page then lists the changed fields only."""
    written = not run.dry_run and run.status in (ImportRun.Status.GESLAAGD, ImportRun.Status.GEDEELTELIJK)
    diff = [{"field": str(d.get("field", "")), "old": _shown(d.get("old")), "new": _shown(d.get("new"))}
            for d in entry.get("diff") or []]  # fmt: skip
    return {
        **entry,
        "municipality_name": names.get(entry.get("municipality"), entry.get("municipality")),
        "fields": [str(CHANGE_LABELS.get(f, f)) for f in entry.get("fields", [])],
        "diff": diff,
        "fold": len(diff) > DIFF_INLINE,
        "link": bool(entry.get("code")) and (kind != "new" or written),
    }


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value) -> str:
    """A diff value as text; empty stays empty (the page shows '–'), so a count of 0 is not mistaken for none.
    A date reads as on every page (29-11-2026, docs/web.md)."""
    if value is None:
        return ""
    text = str(value)
    return datum(text) if ISO_DATE.fullmatch(text) else text


@login_required
@require_POST
def import_decide(request, run_id: int):
    _require_import(request)
    run = _run_or_404(run_id)
    action = request.POST.get("besluit", "")
    if action not in uploads.DECISIONS:
        return HttpResponse(_("Kies bevestigen of annuleren."), status=400, content_type="text/plain; charset=utf-8")
    if not uploads.decidable(run, request.user):
        raise PermissionDenied(_("Over deze import is al besloten, of u mag er niet over beslissen."))
    try:
        job = uploads.decide(run, action, request.user)
    except uploads.UploadRefused:  # someone else decided in the meantime: show what they decided
        return redirect("import", run.pk)
    return redirect("job", job.pk) if job else redirect("import", run.pk)


@login_required
def import_report(request, run_id: int):
    """The validation report of one import as CSV (row, column, value, reason, severity)."""
    require_projects(request)
    run = _run_or_404(run_id)
    buffer = io.StringIO()
    write_problems(buffer, run.problems)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rapport.csv"'
    return response


@login_required
def import_template(request, fmt: str):
    """The empty import template (the columns of `bouwregie export`, read without choosing a profile)."""
    require_projects(request)
    return table_download(column_guide.template_rows(), "planlijst-sjabloon", fmt, _("Planlijst"))


@login_required
def column_guide_page(request):
    """What each column of the import template means, from the definitions the importer reads; as a page and
    as a download (?formaat=csv|xlsx)."""
    require_projects(request)
    if request.GET.get("formaat") in FORMATS:
        return table_download(column_guide.guide_rows(), "planlijst-kolommen", request.GET["formaat"], _("Kolommen"))
    return render(request, "web/column_guide.html", {"nav": "imports", "rows": column_guide.guide()})
