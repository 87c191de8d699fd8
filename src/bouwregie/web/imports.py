"""The quarterly update in the browser: upload a plan list, see what it would change, confirm or cancel.

Uploading runs the importer as a dry run in a background job (bouwregie.jobs) and shows its outcome
as a preview: new, changed and missing projects, and every validation message in plain Dutch.
Confirming runs the same file, unchanged (its SHA-256 is checked), for real, again as a job; cancelling
deletes the upload. Both are decisions recorded on the dry run, so the import log shows who decided.
Which rows a user may write is the one policy's can_edit_project, asked by the importer row by row.
"""

import io
import shutil
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bouwregie.accounts import policy
from bouwregie.geo.models import Municipality
from bouwregie.ingest.importer import ImportOptions, file_sha256, run_import
from bouwregie.ingest.models import ImportRun
from bouwregie.ingest.profiles import profile_paths
from bouwregie.ingest.readers import SUPPORTED
from bouwregie.ingest.report import write_problems
from bouwregie.jobs import runner
from bouwregie.projects import services

LOG_SIZE = 50
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


def _may_write(who: policy.Principal):
    """The importer's row check: may this user write projects in municipality `code`?"""
    provinces = dict(Municipality.objects.values_list("code", "province_id"))
    return lambda code: policy.can_edit_project(who, code, provinces.get(code, ""))


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
        suffix = Path(upload.name).suffix.lower()
        if suffix not in SUPPORTED:
            raise forms.ValidationError(
                _("Bestandstype '%(suffix)s' wordt niet ondersteund; gebruik %(supported)s.")
                % {"suffix": suffix or _("(geen)"), "supported": ", ".join(SUPPORTED)}
            )
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("Het bestand is %(size)s MB; de grens is %(limit)s MB.")
                % {"size": f"{upload.size / 1_000_000:.1f}", "limit": f"{settings.IMPORT_MAX_BYTES / 1_000_000:g}"}
            )
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
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    may_import = policy.can_import(who)
    form = UploadForm(request.POST or None, request.FILES or None) if may_import else None
    if request.method == "POST":
        _require_import(request)
        if form.is_valid():
            job = _start_preview(request, form.cleaned_data)
            return redirect("job", job.pk)
    runs = ImportRun.objects.defer("problems", "changes", "by_municipality")[:LOG_SIZE]
    return render(
        request,
        "web/imports.html",
        {"nav": "imports", "form": form, "runs": runs},
        status=400 if form is not None and form.errors else 200,
    )


def _start_preview(request, data: dict):
    folder = Path(settings.UPLOAD_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / (get_valid_filename(Path(data["file"].name).name) or "planlijst")
    with open(path, "wb") as f:
        for chunk in data["file"].chunks():
            f.write(chunk)
    params = {
        "path": str(path),
        "source": data["source"].strip(),
        "profile": data["profile"] or None,
        "sheet": data["sheet"].strip() or None,
        "peiling": data["peiling"] or None,
        "user_id": request.user.pk,
    }
    return runner.submit(
        "bouwregie.web.imports.preview_job", _("Planlijst controleren: %s") % path.name, params, request.user
    )


def _options(params: dict, user, progress, **overrides) -> ImportOptions:
    return ImportOptions(
        source=params["source"],
        profile=params["profile"],
        sheet=params["sheet"],
        peiling=params["peiling"],
        author=user.get_username(),
        may_write=_may_write(policy.principal_for(user)),
        progress=progress,
        **overrides,
    )


def preview_job(params: dict, progress) -> dict:
    """Background job: the dry run that becomes the preview."""
    user = get_user_model().objects.get(pk=params["user_id"])
    result = run_import(params["path"], _options(params, user, progress, dry_run=True))
    run = result.run
    if run.status == ImportRun.Status.GEWEIGERD and not run.counts.get("valid"):
        _discard(params["path"])  # nothing in it could ever be written
    else:
        ImportRun.objects.filter(pk=run.pk).update(upload_path=params["path"])
    return {"url": reverse("import", args=[run.pk]), "import": run.pk}


def apply_job(params: dict, progress) -> dict:
    """Background job: the confirmed import of a previewed upload."""
    user = get_user_model().objects.get(pk=params["user_id"])
    preview = ImportRun.objects.get(pk=params["preview"])
    path = Path(preview.upload_path)
    if not path.is_file() or file_sha256(path) != preview.file_sha256:
        raise runner.JobFailed(_("Het geüploade bestand is niet meer hetzelfde of is verdwenen; upload het opnieuw."))
    options = {
        "source": preview.source,
        "profile": preview.profile or None,
        "sheet": preview.sheet or None,
        "peiling": preview.peiling_code or None,
    }
    result = run_import(path, _options(options, user, progress, allow_partial=params["allow_partial"]))
    ImportRun.objects.filter(pk=preview.pk).update(applied_as=result.run, upload_path="")
    _discard(str(path))
    return {"url": reverse("import", args=[result.run.pk]), "import": result.run.pk}


def _discard(path: str) -> None:
    folder = Path(path).parent
    if folder.parent == Path(settings.UPLOAD_DIR):
        shutil.rmtree(folder, ignore_errors=True)


def _run_or_404(run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(pk=run_id).select_related("applied_as").first()
    if run is None:
        raise Http404(_("Import #%d bestaat niet.") % run_id)
    return run


@login_required
def import_page(request, run_id: int):
    """One import: the preview of an upload (with confirm / cancel), or the outcome of an import."""
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    run = _run_or_404(run_id)
    names = dict(Municipality.objects.values_list("code", "name"))
    decidable = _decidable(run, request.user, who)
    changes = {
        kind: [
            {
                **e,
                "municipality_name": names.get(e.get("municipality"), e.get("municipality")),
                "fields": [str(CHANGE_LABELS.get(f, f)) for f in e.get("fields", [])],
            }
            for e in run.changes.get(kind, [])
        ]
        for kind in ("new", "changed", "missing")
    }
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
            "problems": run.problems[:1000],
            "more_problems": max(0, len(run.problems) - 1000),
        },
    )


def _decidable(run: ImportRun, user, who) -> bool:
    """A preview waits for a decision by whoever uploaded it (or the beheerder) while its file exists."""
    return (
        run.dry_run
        and not run.decision
        and bool(run.upload_path)
        and policy.can_import(who)
        and (run.author == user.get_username() or policy.is_beheerder(who))
    )


@login_required
@require_POST
def import_decide(request, run_id: int):
    who = _require_import(request)
    run = _run_or_404(run_id)
    if not _decidable(run, request.user, who):
        raise PermissionDenied(_("Over deze import is al besloten, of u mag er niet over beslissen."))
    action = request.POST.get("besluit")
    decision = {
        "bevestigen": ImportRun.Decision.BEVESTIGD,
        "gedeeltelijk": ImportRun.Decision.BEVESTIGD,
        "annuleren": ImportRun.Decision.GEANNULEERD,
    }.get(action)
    if decision is None:
        return HttpResponse(_("Kies bevestigen of annuleren."), status=400, content_type="text/plain; charset=utf-8")
    claimed = ImportRun.objects.filter(pk=run.pk, decision="").update(
        decision=decision, decided_by=request.user.get_username()
    )
    if not claimed:  # someone else decided in the meantime
        return redirect("import", run.pk)
    if decision == ImportRun.Decision.GEANNULEERD:
        _discard(run.upload_path)
        ImportRun.objects.filter(pk=run.pk).update(upload_path="")
        return redirect("import", run.pk)
    job = runner.submit(
        "bouwregie.web.imports.apply_job",
        _("Planlijst importeren: %s") % run.file_name,
        {"preview": run.pk, "allow_partial": action == "gedeeltelijk", "user_id": request.user.pk},
        request.user,
    )
    return redirect("job", job.pk)


@login_required
def import_report(request, run_id: int):
    """The validation report of one import as CSV (row, column, value, reason, severity)."""
    who = policy.principal_for(request.user)
    if not policy.can_read_projects(who):
        raise PermissionDenied(_("Uw account hoort bij geen organisatie met inzage in projecten."))
    run = _run_or_404(run_id)
    buffer = io.StringIO()
    write_problems(buffer, run.problems)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-rapport.csv"'
    return response
