from django.db.models import Count, Sum
from django.shortcuts import render

from bouwregie.geo.models import Municipality, Province
from bouwregie.projects.models import Peiling, PeilingEntry


def home(request):
    """Status page: what is loaded and the latest closed peiling. The dashboard comes with issue #5."""
    latest = Peiling.objects.filter(closed_at__isnull=False).order_by("-year", "-quarter").first()
    totals = by_province = None
    if latest:
        entries = PeilingEntry.objects.filter(peiling=latest)
        totals = entries.aggregate(projects=Count("id"), homes=Sum("version__homes_total"))
        by_province = (
            entries.values("version__municipality__province__name")
            .annotate(projects=Count("id"), homes=Sum("version__homes_total"))
            .order_by("version__municipality__province__name")
        )
    return render(
        request,
        "web/home.html",
        {
            "provinces": Province.objects.count(),
            "municipalities": Municipality.objects.count(),
            "peilingen": Peiling.objects.order_by("-year", "-quarter"),
            "latest": latest,
            "totals": totals,
            "by_province": by_province,
        },
    )
