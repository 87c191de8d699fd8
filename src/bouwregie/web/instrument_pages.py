"""The financial instruments in the browser (issue #7): the realisatiestimulans per municipality and year,
both variants side by side, with the regulation version and its sources (CSV and Excel), and one municipality's
overview of every instrument. Open data: what a municipality receives follows from its realised homes, which are
open too; its Woningbouwimpuls applications (open-book deficits) only for itself and the Rijk, its gebiedsbudget
packages for those at the tables."""

from datetime import date
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from bouwregie.accounts import policy
from bouwregie.geo.areas import UnknownArea
from bouwregie.geo.models import Municipality, Province
from bouwregie.instruments import api, gebiedsbudget_store, wbi_store
from bouwregie.instruments.realisatiestimulans import NAME
from bouwregie.instruments.regulation import all_versions, in_force
from bouwregie.projects.models import Peiling
from bouwregie.web.dashboard import closed_peilingen
from bouwregie.web.downloads import FORMATS, table_download

PER_PAGE = 25  # municipalities per page (issue #19: the whole country on one page was 22,000 px tall)
# The page's choice of variants (instruments.api.CHOICES): the two on the monitor side by side (the default), the
# one on the registrations (BAG, issue #18), or all three.
PAGE_VARIANTS = ("beide", "registratie", "alle")


def realisatiestimulans_page(request):
    peilingen = closed_peilingen()
    provinces = list(Province.objects.order_by("name").values_list("code", "name"))
    form = {"peiling": request.GET.get("peiling") or (peilingen[0] if peilingen else ""),
            "gemeente": request.GET.get("gemeente", "").strip(),
            "provincie": request.GET.get("provincie", "").strip().upper(),
            "variant": request.GET.get("variant", "").strip() or "beide"}  # fmt: skip
    result, error = None, None
    if form["provincie"] and form["provincie"] not in dict(provinces):
        error = _("Onbekende provincie '%s'; kies er een uit de lijst.") % form["provincie"]
    elif form["variant"] not in PAGE_VARIANTS:
        error = _("Onbekende variant '%s'; kies er een uit de lijst.") % form["variant"]
    elif peilingen:
        try:
            result = api.realisatiestimulans(form["peiling"], form["gemeente"] or None, variant=form["variant"])
        except (ValueError, UnknownArea, Peiling.DoesNotExist) as e:
            error = str(e)
    if result and form["provincie"]:
        result = in_province(result, set(
            Municipality.objects.filter(province_id=form["provincie"]).values_list("code", flat=True)))  # fmt: skip
    if result and request.GET.get("formaat") in FORMATS:
        return _download(request, result, form["gemeente"] or form["provincie"])
    rows, years = [], []
    if result:
        rows, years = municipality_rows(result)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("pagina"))
    variants = result["variants"].items() if result and not form["provincie"] else ()
    totals = [{"variant": v, "year": y, **t} for v, variant in variants for y, t in variant["years"].items()]
    query = {k: v for k, v in form.items() if v and (k, v) != ("variant", "beide")}
    return render(
        request,
        "web/realisatiestimulans.html",
        {
            "nav": "instruments",
            "form": form,
            "provinces": provinces,
            "peilingen": peilingen,
            "error": error,
            "result": result,
            "rows": page.object_list,
            "page": page,
            "count": len(rows),
            "query": urlencode(query),
            "years": years,
            "totals": totals,
            "versions": all_versions(NAME),
            "variant_choices": [
                ("beide", _("op realisatie en op start bouw (monitor)")),
                ("registratie", _("op registratie (BAG)")),
                ("alle", _("alle drie")),
            ],
            "shown": [v for v in ROW_KEYS if result and v in result["variants"]],
        },  # fmt: skip
        status=400 if error else 200,
    )


def in_province(result: dict, codes: set[str]) -> dict:
    """The result with only the municipalities in `codes` (the province filter; the national totals per year
    do not apply to a part, so the page leaves them out)."""
    variants = {v: {**variant, "municipalities": [m for m in variant["municipalities"] if m["code"] in codes]}
                for v, variant in result["variants"].items()}  # fmt: skip
    return {**result, "variants": variants}


# Per variant the keys of a row: homes and payout per year, payout in total.
ROW_KEYS = {"realisatie": ("realised", "paid_realised", "total_realised"),
            "startbouw": ("started", "paid_started", "total_started"),
            "registratie": ("registered", "paid_registered", "total_registered")}  # fmt: skip


def municipality_rows(result: dict) -> tuple[list[dict], list]:
    """One row per municipality with the computed variants per year (op realisatie, op start bouw and/or op
    registratie: the keys of ROW_KEYS, only for the variants the result has), sorted by name."""
    computed = result["variants"]
    years = sorted({y for v in computed.values() for y in v["years"]})
    codes = {m["code"] for v in computed.values() for m in v["municipalities"]}
    found = {v: {m["code"]: m for m in variant["municipalities"]} for v, variant in computed.items()}
    rows = []
    for code in codes:
        row = {"code": code, "name": next(found[v][code] for v in computed if code in found[v])["name"],
               "years": [{"year": y} for y in years]}  # fmt: skip
        for variant in computed:
            homes, paid, total = ROW_KEYS[variant]
            m = found[variant].get(code)
            for cell in row["years"]:
                y = cell["year"]
                cell[homes] = sum(m["years"][y]["homes"].values()) if m and y in m["years"] else 0
                cell[paid] = m["years"][y]["paid_cents"] if m and y in m["years"] else None
            row[total] = m["paid_cents"] if m else None
        rows.append(row)
    return sorted(rows, key=lambda r: (r["name"], r["code"])), years


def _download(request, result: dict, gemeente: str):
    name = "-".join(["realisatiestimulans", result["peiling"], *([gemeente] if gemeente else [])])
    return table_download(api.csv_rows(result), name, request.GET["formaat"], "Realisatiestimulans")


def municipality_page(request, code: str):
    """Everything the instruments mean for one municipality: the realisatiestimulans per year in both variants,
    whether it is an NPLV focus municipality, its Woningbouwimpuls applications and its gebiedsbudget packages."""
    municipality = Municipality.objects.filter(code=code.upper()).first()
    if municipality is None:
        raise Http404(_("Gemeente %s bestaat niet.") % code)
    peilingen = closed_peilingen()
    peiling = request.GET.get("peiling") or (peilingen[0] if peilingen else "")
    who = policy.principal_for(request.user)
    result, error = None, None
    if peilingen:
        try:
            result = api.realisatiestimulans(peiling, municipality.code)
        except (ValueError, Peiling.DoesNotExist) as e:
            error = str(e)
    if result and request.GET.get("formaat") in FORMATS:
        return _download(request, result, municipality.code)
    years = []
    for variant, computed in result["variants"].items() if result else ():
        for m in computed["municipalities"]:
            for year, y in m["years"].items():
                years.append({**y, "variant": variant, "year": year, "homes": sum(y["homes"].values()),
                              "surcharges_cents": sum(y["surcharges_cents"].values())})  # fmt: skip
    variants = result["variants"].items() if result else ()
    totals = {v: sum(m["paid_cents"] for m in c["municipalities"]) for v, c in variants}
    wbi = None
    if policy.can_read_wbi_application(who, municipality.code):
        wbi = wbi_store.applications_of([municipality.code])
    packages = None
    if policy.can_read_projects(who):
        packages = gebiedsbudget_store.assess_all(municipality.code)["packages"]
    regulation = in_force(NAME, date.today())
    return render(
        request,
        "web/instruments_municipality.html",
        {"nav": "instruments", "municipality": municipality, "peilingen": peilingen, "peiling": peiling,
         "result": result, "error": error, "years": years, "totals": totals, "wbi": wbi, "packages": packages,
         "focus": municipality.code in regulation.value("focusgebieden", "gemeenten"),
         "regulation": regulation.label()},
        status=400 if error else 200,
    )  # fmt: skip
