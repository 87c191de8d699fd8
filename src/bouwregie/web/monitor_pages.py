"""The versnellingstafel's working pages: peilingen (and closing one), delays between two peilingen,
and alternatives when a year falls short. The numbers come from monitor.delays and
monitor.alternatives, the same functions as the CLI and the REST API use."""

from functools import lru_cache
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.forecast import jobs as forecast_jobs
from bouwregie.geo.areas import UnknownArea
from bouwregie.monitor.alternatives import alternatives
from bouwregie.monitor.delays import DEFAULT_MONTHS, delays
from bouwregie.monitor.shortfall import MAX_SHORTFALL, ShortfallNeeded
from bouwregie.projects import services
from bouwregie.projects.milestones import phase_label
from bouwregie.projects.models import Peiling, PeilingEntry
from bouwregie.web.dashboard import closed_peilingen
from bouwregie.web.downloads import FORMATS, table_download
from bouwregie.web.form_values import whole_number
from bouwregie.web.project_pages import require_projects
from bouwregie.web.templatetags.notation import datum


def next_quarter(code: str | None) -> str:
    """The quarter after `code` (the first to close after the last closed one)."""
    if not code:
        return ""
    year, quarter = services.parse_peiling_code(code)
    return f"{year + quarter // 4}-Q{quarter % 4 + 1}"


def closable(peilingen: list[Peiling]) -> list[str]:
    """Open peilingen after the last closed one, else the quarter after it: only those can still close."""
    closed = [p for p in peilingen if p.is_closed]
    last = max(closed, key=lambda p: (p.year, p.quarter)) if closed else None
    after = [
        p.code
        for p in peilingen
        if not p.is_closed and (last is None or (p.year, p.quarter) > (last.year, last.quarter))
    ]
    return after or ([next_quarter(last.code)] if last else [])


@login_required
def peilingen_page(request):
    who = require_projects(request)
    may_close = policy.can_close_peiling(who)
    if request.method == "POST":
        if not may_close:
            raise PermissionDenied(
                _("Alleen de beheerder van het platform sluit een peiling (zij geldt voor heel het land).")
            )
        code = request.POST.get("peiling", "").strip().upper()
        if request.POST.get("zeker") != "ja":
            messages.error(request, _("Vink aan dat u begrijpt dat sluiten onomkeerbaar is."))
        else:
            try:
                peiling = services.close_peiling(
                    code, author=request.user.get_username(), allow_running=request.POST.get("lopend") == "ja"
                )
            except services.QuarterRunningError as error:
                messages.error(request, _("%(warning)s Niets gesloten: vink aan dat u toch nu wilt sluiten.")
                               % {"warning": error})  # fmt: skip
            except ValueError as error:  # malformed, already closed, or a later one is closed
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Peiling %(code)s is gesloten met %(n)s projecten.")
                    % {"code": peiling.code, "n": number_format(peiling.entries.count(), force_grouping=True)},
                )
                job = forecast_jobs.start_calibration(peiling.code, request.user)
                calibrating = _("De prognose wordt op de achtergrond gekalibreerd op peiling %(code)s (taak %(url)s).")
                messages.info(request, calibrating % {"code": peiling.code, "url": reverse("job", args=[job.pk])})
                return redirect(reverse("home") + f"?peiling={peiling.code}")
        return redirect("peilingen")
    peilingen = list(Peiling.objects.order_by("-year", "-quarter"))
    for p in peilingen:  # the page shows the count of closed peilingen only (an open one collects nothing)
        p.n = entry_count(connection.alias, p.id, p.closed_at) if p.is_closed else None
    return render(
        request,
        "web/peilingen.html",
        {
            "nav": "peilingen",
            "peilingen": peilingen,
            "may_close": may_close,
            "closable": closable(peilingen),
            "running": running_quarters(closable(peilingen), timezone.localdate()),
        },
    )


@lru_cache(maxsize=512)
def entry_count(alias: str, peiling_id: int, closed_at) -> int:
    """How many projects a closed peiling holds: it never changes (docs/decisions/0002), so it is counted once
    per process (issue #19: counting every peiling's entries on every view cost 0.15 s on the demo)."""
    return PeilingEntry.objects.filter(peiling_id=peiling_id).count()


def running_quarters(codes: list[str], today) -> list[str]:
    """The warning for each closable peiling whose quarter is still running on `today` (issue #19)."""
    return [services.running_quarter_warning(c) for c in codes if services.quarter_running(c, today)]


def describe_delay(reason: dict) -> str:
    """One finding of monitor.delays in a sentence."""
    kind = reason["soort"]
    if kind == "mijlpaal":
        return _("%(milestone)s: %(was)s → %(now)s (%(months)s maanden later)") % {
            "milestone": phase_label(reason["mijlpaal"]), "was": datum(reason["van"]), "now": datum(reason["naar"]),
            "months": number_format(reason["maanden"], 1),
        }  # fmt: skip
    if kind == "oplevering":
        return _("%(homes)s woningen later opgeleverd (gemiddeld jaar %(was)s → %(now)s)") % {
            "homes": number_format(reason["woningen"], force_grouping=True),
            "was": number_format(reason["van_jaar"], 1),
            "now": number_format(reason["naar_jaar"], 1),
        }  # fmt: skip
    if kind == "planstatus":
        return _("planstatus teruggevallen van %(was)s naar %(now)s") % {"was": reason["van"], "now": reason["naar"]}
    return _("uit de pijplijn (%s)") % reason.get("status", "").replace("_", " ")


def delay_rows(result: dict):
    """The delays table as a download: the columns of the page, header in the page's language."""
    yield [_("Project"), _("Projectcode"), _("Gemeente"), _("Woningen geraakt"), _("Wat schoof")]
    for p in result["projects"]:
        yield [p["name"], p["code"], p["municipality"], p["homes_affected"], "; ".join(p["reasons"])]


def alternative_rows(result: dict):
    """The candidates table as a download: the columns of the page, header in the page's language."""
    yield [_("Rang"), _("Project"), _("Projectcode"), _("Gemeente"), _("Score"), _("Woningen naar voren"),
           _("Uit jaar"), _("Cumulatief"), _("Redenen")]  # fmt: skip
    for c in result["candidates"]:
        yield [c["rank"], c["name"], c["code"], c["municipality"], round(c["score"], 1), c["homes_movable"],
               c["from_year"], c["cumulative_homes"], "; ".join(str(r) for r in c["reasons"])]  # fmt: skip


def _area_and_peilingen(request) -> tuple[str, list[str]]:
    """The area as typed (resolve_area reads GM/PV codes and NL in any case; a region's code is a slug that
    upper-casing would make unknown) and the closed peilingen."""
    return request.GET.get("gebied", "").strip() or "NL", closed_peilingen()


@login_required
def delays_page(request):
    require_projects(request)
    area, peilingen = _area_and_peilingen(request)
    form = {
        "gebied": area,
        "van": request.GET.get("van") or (peilingen[1] if len(peilingen) > 1 else ""),
        "tot": request.GET.get("tot") or (peilingen[0] if peilingen else ""),
        "maanden": request.GET.get("maanden") or str(DEFAULT_MONTHS),
    }
    result, error, notice = None, None, None
    if len(peilingen) < 2:
        notice = _("Er zijn nog geen twee gesloten peilingen om te vergelijken.")
    elif form["van"] not in peilingen or form["tot"] not in peilingen:
        error = _("Kies twee gesloten peilingen.")
    else:
        try:
            months = float(form["maanden"].replace(",", "."))
        except ValueError:
            error = _("De drempel is een aantal maanden, bijvoorbeeld 3 of 1,5; niet '%s'.") % form["maanden"]
        else:
            fmt = request.GET.get("formaat")
            try:  # the download holds every delayed project; the page the largest 100
                result = delays(area, form["van"], form["tot"], months, limit=None if fmt in FORMATS else 100)
            except (UnknownArea, ValueError) as e:
                error = str(e)
    if result:
        for project in result["projects"]:
            project["reasons"] = [describe_delay(r) for r in project["reasons"]]
        if request.GET.get("formaat") in FORMATS:
            name = f"vertragingen-{result['area']['code']}-{result['from']}-{result['to']}"
            return table_download(delay_rows(result), name, request.GET["formaat"], _("Vertragingen"))
    return render(
        request,
        "web/delays.html",
        {
            "nav": "delays",
            "form": form,
            "peilingen": peilingen,
            "result": result,
            "error": error or notice,
            "query": urlencode(form),
        },  # fmt: skip
        status=400 if error else 200,
    )


@login_required
def alternatives_page(request):
    """Alternatives for an area and a year, always answered on the page: from the area's agreement, its part
    of its woondeal's jaarschijf, or — when neither exists — a shortfall the user enters here (issue #17)."""
    require_projects(request)
    area, peilingen = _area_and_peilingen(request)
    form = {
        "gebied": area,
        "peiling": request.GET.get("peiling") or (peilingen[0] if peilingen else ""),
        "jaar": request.GET.get("jaar", "").strip(),
        "tekort": request.GET.get("tekort", "").strip(),
    }
    result, error, field, needed = None, None, None, None
    if form["jaar"]:
        try:
            field = "jaar"
            year = whole_number(form["jaar"], _("Het jaar"))
            field = "tekort"
            shortfall = (
                whole_number(form["tekort"], _("Het tekort"), least=1, most=MAX_SHORTFALL) if form["tekort"] else None
            )
            field = "peiling"
            if form["peiling"] not in peilingen:
                raise ValueError(_("Kies een gesloten peiling."))
            field = "jaar"  # what alternatives() refuses besides the area: a year outside its range or too early
            fmt = request.GET.get("formaat")
            result = alternatives(area, form["peiling"], year, shortfall, limit=None if fmt in FORMATS else 50)
        except ShortfallNeeded as e:
            needed = {"area": e.area.name, "year": e.year}
        except UnknownArea as e:
            error, field = str(e), "gebied"
        except ValueError as e:
            error = str(e)
    if result and request.GET.get("formaat") in FORMATS:
        name = f"alternatieven-{result['area']['code']}-{result['year']}-{result['peiling']}"
        return table_download(alternative_rows(result), name, request.GET["formaat"], _("Alternatieven"))
    return render(
        request,
        "web/alternatives.html",
        {"nav": "alternatives", "form": form, "peilingen": peilingen, "result": result, "error": error,
         "error_field": field if error else None, "needed": needed, "query": urlencode(form)},
        status=400 if error else 200,
    )  # fmt: skip
