"""REST API for the areas (open data, issue #5): GET /api/v1/areas — the Netherlands, the provinces, the
municipalities and the regions, with the codes every other endpoint takes as `area`."""

from typing import Literal

from ninja import Router, Schema

from bouwregie.api.common import OPEN_ERRORS
from bouwregie.geo.models import Municipality, Province, Region


class AreaOut(Schema):
    kind: str
    code: str
    name: str
    province: str | None = None


def build_router() -> Router:
    router = Router(tags=["gebieden"])

    @router.get(
        "/areas", response={200: list[AreaOut], **OPEN_ERRORS}, summary="Gebieden: provincies, gemeenten en regio's"
    )
    def areas(request, kind: Literal[("nl", "provincie", "gemeente", *Region.Kind.values)] | None = None):  # type: ignore[valid-type]
        rows = [AreaOut(kind="nl", code="NL", name="Nederland")]
        rows += [AreaOut(kind="provincie", code=p.code, name=p.name) for p in Province.objects.order_by("code")]
        rows += [AreaOut(kind="gemeente", code=m.code, name=m.name, province=m.province_id)
                 for m in Municipality.objects.order_by("code")]  # fmt: skip
        rows += [AreaOut(kind=r.kind, code=r.code, name=r.name, province=r.province_id) for r in Region.objects.all()]
        return [r for r in rows if kind is None or r.kind == kind]

    return router
