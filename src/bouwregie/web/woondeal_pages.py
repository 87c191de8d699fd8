"""Woondeals in the browser (issue #17; docs/woondeals.md): the list as agreed today, one woondeal "as agreed on
date D" with its history, a form that records a new version, and the CSV/Excel template to download and load.

Reading is open, as in the API (the agreements are public documents). Writing is for the deal's province or
the beheerder (accounts.policy.can_edit_woondeal). Every write goes through woondeals.store.record (the rules,
a new dated version with author and reason) or woondeals.template.plan/apply (checked, shown, then confirmed: all
or nothing); this module only reads
what the form says and shows the refusals next to the field they concern.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bouwregie.accounts import policy
from bouwregie.api.problems import XLSX
from bouwregie.geo.matching import AmbiguousMunicipality, MunicipalityNotFound
from bouwregie.geo.models import Municipality, MunicipalityMerger, Province
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.form_values import whole_number
from bouwregie.web.uploaded import saved_upload
from bouwregie.woondeals import rules, store, template
from bouwregie.woondeals.members import MemberReader
from bouwregie.woondeals.models import Woondeal, WoondealVersion

EMPTY_MEMBER_ROWS = 5  # rows to add members without JavaScript; save and edit again for more
EMPTY_SIGNATORY_ROWS = 3
MOST_ROWS = 400  # as the API (members, signatories)
SEGMENT_LABELS = {
    "sociale_huur": gettext_lazy("Sociale huur"),
    "middenhuur_betaalbare_koop": gettext_lazy("Middenhuur en betaalbare koop"),
    "duur": gettext_lazy("Duur"),
}
KIND_LABELS = {
    "corporatie": gettext_lazy("Woningcorporatie"),
    "ontwikkelaar": gettext_lazy("Ontwikkelaar"),
    "belegger": gettext_lazy("Belegger"),
    "bouwer": gettext_lazy("Bouwer"),
    "other": gettext_lazy("Overig"),
}
ROLE_LABELS = {"signed": gettext_lazy("ondertekend"), "support": gettext_lazy("steunverklaring")}
# Which form element a rules.Finding's field is shown at (the summary links there, the field is described by it).
FIELD_IDS = {"leden": "leden", "aandeel_corporaties": "woningen_corporaties", "jaarschijven": "jaarschijven",
             "programmering": "programmering", "ondertekenaars": "ondertekenaars"}  # fmt: skip
DAY = "j-n-Y"  # the one date format of these pages (as the other pages' |date:"j-n-Y")
PLAN_SALT = "bouwregie.woondeals.load"
PLAN_HOURS = 24  # a preview not confirmed within this is asked to be loaded again


# --- helpers -----------------------------------------------------------------------------------------------
def _deal_or_404(code: str) -> Woondeal:
    deal = Woondeal.objects.filter(code=code).first()
    if deal is None:
        raise Http404(_("Onbekende woondeal '%(code)s'.") % {"code": code})
    return deal


def _who(request) -> policy.Principal:
    return policy.principal_for(getattr(request, "user", None))


def _may_edit_some(who: policy.Principal) -> bool:
    """Whether the user may keep any woondeal at all (the buttons, the new and load pages)."""
    return any(policy.can_edit_woondeal(who, [p]) for p in Province.objects.values_list("code", flat=True))


def _day(text: str, label: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("%(label)s: geen geldige datum (JJJJ-MM-DD): '%(value)s'.")
                         % {"label": label, "value": text[:40]}) from None  # fmt: skip


def _dutch(day: date) -> str:
    return date_format(day, DAY)


def _names() -> dict:
    """Code → name for current and former municipalities (a member may be a municipality merged away)."""
    names = dict(MunicipalityMerger.objects.values_list("former_code", "former_name"))
    names.update(Municipality.objects.values_list("code", "name"))
    return names


# --- list and detail ---------------------------------------------------------------------------------------
def woondeal_list(request):
    """Every woondeal as agreed on ?op= (default today), as the detail page and the API answer; a deal not yet in
    force on that date is listed with its first version, marked as such."""
    today = date.today()
    error = None
    try:
        on = _day(request.GET.get("op", ""), _("Afgesproken op")) or today
    except ValueError as e:
        error, on = str(e), today
    provinces = dict(Province.objects.values_list("code", "name"))
    rows = []
    in_force = {v.woondeal_id: v for v in store.current_all(on)}  # one query for all (store.as_agreed_on's rule)
    first = {}
    later = WoondealVersion.objects.exclude(woondeal_id__in=in_force).order_by("woondeal_id", "-valid_from", "-number")
    for v in later:
        first[v.woondeal_id] = v  # ends on the earliest version of each deal not yet in force
    for deal in Woondeal.objects.order_by("code"):
        version = in_force.get(deal.id)
        pending = version is None
        version = version or first.get(deal.id)
        if version is None:
            continue
        rows.append({
            "code": deal.code, "name": version.name, "pending": pending, "valid_from": version.valid_from,
            "provinces": [provinces.get(p, p) for p in version.provinces],
            "members": sum(1 for m in version.members if rules.active_on(m, on)),
            "taakstelling": version.taakstelling_total,
            "query": "" if on == today else "?" + urlencode({"op": on.isoformat()}),
        })  # fmt: skip
    if request.GET.get("formaat") in FORMATS:  # the list as shown (issue #19); the filled template: /woondeals/laden
        header = [
            _("Code"),
            _("Naam"),
            _("Provincies"),
            _("Gemeenten"),
            _("Taakstelling 2022–2030"),
            _("Van kracht vanaf"),
        ]
        table = [header] + [[r["code"], r["name"], ", ".join(r["provinces"]), r["members"], r["taakstelling"],
                             r["valid_from"]] for r in rows]  # fmt: skip
        return table_download(table, f"woondeals-{on.isoformat()}", request.GET["formaat"], _("Woondeals"))
    context = {"nav": "woondeals", "rows": rows, "today": today, "on": on, "error": error,
               "may_edit": _may_edit_some(_who(request))}  # fmt: skip
    return render(request, "web/woondeal_list.html", context, status=400 if error else 200)


def woondeal_page(request, code: str):
    """One woondeal as agreed on ?op= (default today), optionally as known on ?bekend_op=, with its history."""
    deal = _deal_or_404(code)
    error = None
    try:
        on = _day(request.GET.get("op", ""), _("Afgesproken op")) or date.today()
        known_on = _day(request.GET.get("bekend_op", ""), _("Bekend op"))
    except ValueError as e:
        error, on, known_on = str(e), date.today(), None
    version = store.as_agreed_on(code, on, known_on=known_on)
    history = [
        {"v": v, "shown": version is not None and v.pk == version.pk,
         "query": urlencode({"op": v.valid_from.isoformat(), "bekend_op": store.recorded_on(v.created_at)})}
        for v in deal.versions.order_by("number")
    ]  # fmt: skip
    newest = deal.versions.order_by("-number").first()
    context = {
        "nav": "woondeals", "code": code, "version": version, "on": on, "known_on": known_on, "error": error,
        "history": history,
        "may_edit": policy.can_edit_woondeal(_who(request), newest.provinces),
        "form": {"op": request.GET.get("op", ""), "bekend_op": request.GET.get("bekend_op", "")},
    }  # fmt: skip
    if version is not None:
        context.update(_agreement(version, on))
    else:
        context["absent"] = store.absent(code, on, known_on, day=_dutch)
    return render(request, "web/woondeal.html", context, status=400 if error else 200)


def _share(part, total) -> str:
    return f"{100 * part / total:.0f}%" if part is not None and total else "–"


def _agreement(version, on: date) -> dict:
    ref = store.reference()
    names = _names()
    provinces = dict(Province.objects.values_list("code", "name"))
    total = version.taakstelling_total
    slices = version.jaarschijven
    return {
        "provinces": [provinces.get(p, p) for p in version.provinces],
        "members": [{**m, "name": names.get(m["code"], m["code"]), "active": rules.active_on(m, on),
                     "from": m.get("from") and date.fromisoformat(m["from"]),
                     "until": m.get("until") and date.fromisoformat(m["until"])} for m in version.members],
        "members_on": [names.get(c, c) for c in rules.members_on(version.members, on, ref)],
        "segments": [(SEGMENT_LABELS[s], version.taakstelling_segments.get(s),
                      _share(version.taakstelling_segments.get(s), total)) for s in rules.SEGMENTS],
        "jaarschijven": [(y, slices.get(str(y))) for y in rules.JAARSCHIJF_YEARS],
        "jaarschijven_sum": sum(slices.values()) if slices else None,
        "programming": [(y, version.programming.get(str(y))) for y in rules.PROGRAMMING_YEARS],
        "corporation_share": _share(version.corporation_homes, total),
        "signatories": [{"name": s["name"], "kind": KIND_LABELS.get(s["kind"], s["kind"]),
                         "role": ROLE_LABELS.get(s["role"], s["role"])} for s in version.signatories],
        "warnings": [f for f in rules.validate(store.data_of(version), ref) if f.warning],
    }  # fmt: skip


# --- the form: a new version -------------------------------------------------------------------------------
@login_required
def woondeal_new(request):
    if not _may_edit_some(_who(request)):
        raise PermissionDenied(_("Alleen een provincie (met een bewerkersrol) of de beheerder legt woondeals vast."))
    return _form_page(request, None)


@login_required
def woondeal_edit(request, code: str):
    deal = _deal_or_404(code)
    if not policy.can_edit_woondeal(_who(request), deal.versions.order_by("-number").first().provinces):
        raise PermissionDenied(_("Alleen de provincie van deze woondeal of de beheerder mag hem wijzigen."))
    return _form_page(request, deal)


def _form_page(request, deal: Woondeal | None):
    who = _who(request)
    latest = deal.versions.order_by("-number").first() if deal else None
    base = store.data_of(latest) if latest else {}
    errors: dict[str, list[str]] = {}
    post = request.POST if request.method == "POST" else None
    if post is not None:
        code = deal.code if deal else post.get("code", "").strip().upper()
        data, errors = read_form(post)
        reason = post.get("reden", "").strip()
        if deal is None and not template.CODE.match(code):
            errors.setdefault("code", []).append(_("Een woondealcode heeft de vorm WD-01, niet '%(code)s'.")
                                                 % {"code": code[:40]})  # fmt: skip
        if latest is not None and post.get("versie") != str(latest.number):
            errors.setdefault("", []).append(
                _("Iemand anders heeft deze woondeal intussen gewijzigd (nu versie %(n)d). Uw wijziging is niet "
                  "opgeslagen; open het formulier opnieuw.") % {"n": latest.number}
            )  # fmt: skip
        if not reason:
            errors.setdefault("reden", []).append(_("Geef de reden van de wijziging."))
        if not errors:  # what the rules refuse is said first (an unknown province is no permission question)
            try:
                store.check(data)
            except store.WoondealRefused as refused:
                for finding in refused.findings:
                    errors.setdefault(FIELD_IDS.get(finding.field, finding.field), []).append(finding.message)
        if (
            not errors
            and data["provinces"]
            and not policy.can_edit_woondeal(who, set(base.get("provinces", [])) | set(data["provinces"]))
        ):
            errors.setdefault("provincies", []).append(
                _("U mag alleen woondeals vastleggen die geheel in uw eigen provincie(s) liggen.")
            )
        if not errors and latest is not None and store.same(base, data):
            messages.info(request, _("Niets gewijzigd; er is geen nieuwe versie vastgelegd."))
            return redirect("woondeal", deal.code)
        if not errors:
            try:
                version, _warnings = store.record(code, data, author=request.user.get_username(), reason=reason,
                                                  create=deal is None)  # fmt: skip
            except store.WoondealRefused as refused:
                for finding in refused.findings:
                    errors.setdefault(FIELD_IDS.get(finding.field, finding.field), []).append(finding.message)
            else:
                messages.success(request, _("Opgeslagen als versie %d.") % version.number)
                target = reverse("woondeal", args=[code])
                if (store.as_agreed_on(code) or version).pk != version.pk:  # not (yet) in force today
                    target += "?" + urlencode({"op": version.valid_from.isoformat()})
                return redirect(target)
    return render(request, "web/woondeal_edit.html", {
        "nav": "woondeals", "deal": deal, "latest": latest, "errors": errors,
        "summary": [(key, e) for key, found in errors.items() for e in found],
        **form_context(post, base, errors),
    }, status=400 if errors else 200)  # fmt: skip


def read_form(post) -> tuple[dict, dict[str, list[str]]]:
    """The posted form as version data (the shape store.record takes), and the errors of what could not be read,
    keyed by the id of the form element."""
    errors: dict[str, list[str]] = {}

    def fail(key, message):
        errors.setdefault(key, []).append(message)

    def number(name, label):
        text = post.get(name, "").strip()
        if not text:
            return None
        try:
            return whole_number(text, label, most=10_000_000)
        except ValueError as e:
            fail(name, str(e))
            return None

    data = {
        "name": post.get("naam", "").strip(),
        "source": post.get("bron", "").strip(),
        "provinces": sorted({p.strip() for p in post.getlist("provincies") if p.strip()}),
        "valid_from": None,
    }
    try:
        data["valid_from"] = _day(post.get("geldig_vanaf", ""), _("Geldig vanaf"))
    except ValueError as e:
        fail("geldig_vanaf", str(e))
    data["valid_from"] = data["valid_from"] and data["valid_from"].isoformat()
    reader = MemberReader()  # the same reading as the template's gemeenten column
    members = []
    for i in range(min(_rows(post, "lid_rijen"), MOST_ROWS)):
        text = post.get(f"lid-{i}-gemeente", "").strip()
        start_text, end_text = post.get(f"lid-{i}-vanaf", "").strip(), post.get(f"lid-{i}-tot", "").strip()
        if not (text or start_text or end_text):
            continue
        try:
            start = _day(start_text, _("Vanaf"))
            end = _day(end_text, _("Tot"))
        except ValueError as e:
            fail(f"lid-{i}-gemeente", str(e))
            continue
        if not text:
            fail(f"lid-{i}-gemeente", _("Geef de gemeente (naam of CBS-code) bij deze datums."))
            continue
        try:
            code = reader.code(text, end)
        except (MunicipalityNotFound, AmbiguousMunicipality) as e:
            fail(f"lid-{i}-gemeente", str(e))
            continue
        members.append({"code": code, "from": start and start.isoformat(), "until": end and end.isoformat()})
    data["members"] = members
    signatories = []
    for i in range(min(_rows(post, "ondertekenaar_rijen"), MOST_ROWS)):
        name = post.get(f"ondertekenaar-{i}-naam", "").strip()
        if name:
            signatories.append({"name": name, "kind": post.get(f"ondertekenaar-{i}-soort", ""),
                                "role": post.get(f"ondertekenaar-{i}-rol", "")})  # fmt: skip
    data["signatories"] = signatories
    data["taakstelling_total"] = number("taakstelling", _("Taakstelling 2022–2030"))
    data["taakstelling_segments"] = {
        s: n for s in rules.SEGMENTS if (n := number(f"taakstelling_{s}", str(SEGMENT_LABELS[s]))) is not None
    }
    data["corporation_homes"] = number("woningen_corporaties", _("Woningen door corporaties"))
    data["jaarschijven"] = {
        str(y): n
        for y in rules.JAARSCHIJF_YEARS
        if (n := number(f"jaarschijf_{y}", _("Jaarschijf %d") % y)) is not None
    }
    data["programming"] = {
        str(y): n
        for y in rules.PROGRAMMING_YEARS
        if (n := number(f"programmering_{y}", _("Programmering %d") % y)) is not None
    }
    return data, errors


def _rows(post, name: str) -> int:
    text = post.get(name, "0")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 5 else 0


def form_context(post, base: dict, errors: dict) -> dict:
    """What the form shows: the posted values after an error, else the newest version's (empty for a new one);
    each field as {id, value, errors} so the template links an error to its field (aria-describedby)."""

    def field(name, current, label=""):
        shown = post.get(name, "") if post is not None else ("" if current is None else current)
        return {"id": name, "value": shown, "errors": errors.get(name, []), "label": label}

    if post is not None:
        members = [
            {
                "gemeente": post.get(f"lid-{i}-gemeente", ""),
                "vanaf": post.get(f"lid-{i}-vanaf", ""),
                "tot": post.get(f"lid-{i}-tot", ""),
            }
            for i in range(min(_rows(post, "lid_rijen"), MOST_ROWS))
        ]
        signatories = [
            {name: post.get(f"ondertekenaar-{i}-{name}", "") for name in ("naam", "soort", "rol")}
            for i in range(min(_rows(post, "ondertekenaar_rijen"), MOST_ROWS))
        ]
        chosen = post.getlist("provincies")
    else:
        names = _names()
        members = [{"gemeente": m["code"], "vanaf": m.get("from") or "", "tot": m.get("until") or "",
                    "naam": names.get(m["code"], "")} for m in base.get("members", [])]  # fmt: skip
        members += [{"gemeente": "", "vanaf": "", "tot": ""} for _i in range(EMPTY_MEMBER_ROWS)]
        signatories = [{"naam": s["name"], "soort": s["kind"], "rol": s["role"]} for s in base.get("signatories", [])]
        signatories += [{"naam": "", "soort": "corporatie", "rol": "signed"} for _i in range(EMPTY_SIGNATORY_ROWS)]
        chosen = base.get("provinces", [])
    segments, slices, programming = (base.get(f) or {} for f in ("taakstelling_segments", "jaarschijven",
                                                                  "programming"))  # fmt: skip
    return {
        "code": field("code", ""), "naam": field("naam", base.get("name")), "bron": field("bron", base.get("source")),
        "geldig_vanaf": field("geldig_vanaf", base.get("valid_from") or date.today().isoformat()),
        "reden": field("reden", ""), "provincies": field("provincies", ""),
        "provinces": [(c, n, c in chosen) for c, n in Province.objects.values_list("code", "name").order_by("name")],
        "members": [{**m, "i": i, "errors": errors.get(f"lid-{i}-gemeente", [])} for i, m in enumerate(members)],
        "members_errors": errors.get("leden", []),
        "signatories": [{**s, "i": i} for i, s in enumerate(signatories)],
        "signatories_errors": errors.get("ondertekenaars", []),
        "kinds": list(KIND_LABELS.items()), "roles": list(ROLE_LABELS.items()),
        "numbers": [field("taakstelling", base.get("taakstelling_total"), _("Taakstelling 2022–2030 (totaal)")),
                    *(field(f"taakstelling_{s}", segments.get(s), SEGMENT_LABELS[s]) for s in rules.SEGMENTS),
                    field("woningen_corporaties", base.get("corporation_homes"), _("Woningen door corporaties"))],
        "jaarschijven": [field(f"jaarschijf_{y}", slices.get(str(y)), y) for y in rules.JAARSCHIJF_YEARS],
        "jaarschijven_errors": errors.get("jaarschijven", []),
        "programming": [field(f"programmering_{y}", programming.get(str(y)), y) for y in rules.PROGRAMMING_YEARS],
        "programming_errors": errors.get("programmering", []),
    }  # fmt: skip


# --- the template: download and load -----------------------------------------------------------------------
def woondeal_template(request, fmt: str):
    """The template, empty or (?gevuld=1) with every woondeal's newest version, in the form template.load reads."""
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Onbekend formaat '%(format)s'; kies csv of xlsx.") % {"format": fmt[:10]})
    filled = request.GET.get("gevuld", "") in ("1", "ja", "true")
    content = template.write(template.export_rows() if filled else [], fmt)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="woondeals{"" if filled else "-sjabloon"}.{fmt}"'
    return response


@login_required
def woondeal_load(request):
    """Upload a filled template in two steps: check (template.plan: per row a new woondeal, a new version with the
    changed columns old → new, or unchanged; every error naming row, column and value; nothing written), then
    confirm (template.apply: exactly what was shown, all or nothing)."""
    who = _who(request)
    if not _may_edit_some(who):
        raise PermissionDenied(_("Alleen een provincie (met een bewerkersrol) of de beheerder legt woondeals vast."))
    errors: dict[str, list[str]] = {}
    preview = None
    reason = request.POST.get("reden", "").strip() if request.method == "POST" else ""
    if request.method == "POST" and "plan" in request.POST:
        try:
            found, reason = _signed_plan(request)
            _check_allowed(found, who)  # again: a deal may have moved to another province meanwhile
            outcomes = template.apply(found, reason, request.user.get_username())
        except ValueError as e:
            errors["bestand"] = str(e).splitlines()
        else:
            messages.success(request, template.summary(outcomes))
            for outcome in outcomes:
                messages.success(request, template.report_line(outcome))
            return redirect("woondeals")
    elif request.method == "POST":
        if not reason:
            errors["reden"] = [_("Geef de reden van de wijziging.")]
        else:
            try:
                with saved_upload(request.FILES.get("bestand"), (".csv", ".xlsx")) as path:
                    found = template.plan(path)
                _check_allowed(found, who)
            except ValueError as e:
                errors["bestand"] = str(e).splitlines()
            else:
                preview = _preview(request, found, reason)
    return render(request, "web/woondeal_load.html", {
        "nav": "woondeals", "errors": errors, "preview": preview, "reden": reason, "max_rows": template.MAX_ROWS,
        "summary": [(key, e) for key, found in errors.items() for e in found[:1]],
    }, status=400 if errors else 200)  # fmt: skip


def _preview(request, found: template.Plan, reason: str) -> dict:
    """What the confirm step shows, and the plan itself signed for it (so what is confirmed is what was shown and
    no one can slip other data in; template.apply re-checks every row against the newest versions)."""
    planned = [[o.row, o.code, o.name, o.status, o.base, o.data, o.old_provinces] for o in found.outcomes]
    payload = {"user": request.user.pk, "file": found.file, "reason": reason, "warnings": found.warnings,
               "rows": planned}  # fmt: skip
    rows = [
        {"row": o.row, "code": o.code, "name": o.name, "status": o.status,
         "changes": [(column, _shown_cell(column, old), _shown_cell(column, new)) for column, old, new in o.changes]}
        for o in found.outcomes
    ]  # fmt: skip
    counts = {status: sum(1 for o in found.outcomes if o.status == status)
              for status in (template.NEW, template.CHANGED, template.UNCHANGED)}  # fmt: skip
    return {"file": found.file, "rows": rows, "warnings": found.warnings, "counts": counts,
            "writes": counts[template.NEW] + counts[template.CHANGED],
            "plan": signing.dumps(payload, salt=PLAN_SALT, compress=True)}  # fmt: skip


def _shown_cell(column: str, value: str) -> str:
    if column in template.DATE_COLUMNS and value:
        return _dutch(date.fromisoformat(value))
    return value


def _signed_plan(request) -> tuple[template.Plan, str]:
    """The plan the user saw and confirms, with the reason they gave; refused when expired, altered or another's."""
    try:
        payload = signing.loads(request.POST["plan"], salt=PLAN_SALT, max_age=PLAN_HOURS * 3600)
    except signing.SignatureExpired:
        raise template.TemplateError(_("De controle is verlopen; laad het bestand opnieuw.")) from None
    except signing.BadSignature:
        raise template.TemplateError(_("De controle is ongeldig; laad het bestand opnieuw.")) from None
    if payload["user"] != request.user.pk:
        raise template.TemplateError(_("De controle is ongeldig; laad het bestand opnieuw."))
    outcomes = [template.Outcome(row, code, name, status, base, data, old_provinces=old)
                for row, code, name, status, base, data, old in payload["rows"]]  # fmt: skip
    return template.Plan(payload["file"], outcomes, payload["warnings"]), payload["reason"]


def _check_allowed(found: template.Plan, who) -> None:
    """Refuses (TemplateError) the whole file when a row would change a woondeal this user may not keep (its
    province before or after the change); unchanged rows pass, so a province loads back the filled template of all
    deals with only its own changed. Called after template.plan, so a row the rules refuse (an unknown province)
    gets the rule's message first."""
    if policy.is_beheerder(who):
        return
    refused = [
        _("Rij %(row)d, kolom provincies, waarde '%(value)s': u mag alleen woondeals van uw eigen "
          "provincie(s) vastleggen.") % {"row": o.row, "value": ", ".join(o.data["provinces"])}
        for o in found.outcomes
        if o.writes and not policy.can_edit_woondeal(who, set(o.data["provinces"]) | set(o.old_provinces))
    ]  # fmt: skip
    if refused:
        raise template.TemplateError("\n".join([_("%(file)s: niets geladen.") % {"file": found.file}, *refused]))
