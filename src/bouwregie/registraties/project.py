"""Per project: its stored BAG links and the registration beside the monitor (issue #18; docs/registraties-
koppeling.md "Op de projectpagina en in de API"). Reads the links in force (store.links_of), the events of the
linked woningen (BagWoning of the link's extract) and the project's current version, and runs the pure
reconcile.reconcile over them. One plain dict, shared by the project page and GET /projects/{code}/registraties."""

import dataclasses
from collections import Counter
from datetime import date

from bouwregie.bag import queries as bag_queries
from bouwregie.registraties import basis, reconcile, store


def plain(o):
    """A result with dates as ISO text (and keys as text), ready for JSON (API and CLI)."""
    if isinstance(o, dict):
        return {str(k): plain(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [plain(v) for v in o]
    return o.isoformat() if isinstance(o, date) else o


def events_of(links) -> list[reconcile.ObjectEvents]:
    """The BAG events of the linked woningen (from the extract each link was made on)."""
    from bouwregie.bag.models import BagWoning

    wanted: dict[int, list[str]] = {}
    for x in links:
        wanted.setdefault(x.extract_id, []).append(x.identificatie)
    found = []
    for extract_id, idents in wanted.items():
        rows = BagWoning.objects.filter(extract_id=extract_id, identificatie__in=idents).order_by("identificatie")
        found += [reconcile.ObjectEvents(r.identificatie, r.start_date, r.delivery_date, r.status_now,
                                         r.demolition_date, r.not_realised_date) for r in rows]  # fmt: skip
    return found


def registrations(project_id: int, reference: date) -> dict:
    """The linked BAG objects (count, basis per link, the ambiguous ones with their other candidates), the
    extracts used, and reconcile's years and flags at `reference`."""
    from bouwregie.bag.models import BagExtract
    from bouwregie.projects import services
    from bouwregie.projects.models import Project

    links = store.links_of(project_id)
    _number, data = services.current_data([project_id])[project_id]
    extract_ids = {x.extract_id for x in links} or set(bag_queries.newest_extracts([data.municipality]).values())
    stand = list(BagExtract.objects.filter(id__in=extract_ids).values_list("stand_date", flat=True))
    # The BAG speaks up to its (oldest) stand date; with no extract for the municipality it says nothing (None).
    result = reconcile.reconcile(data, events_of(links), reference, min(stand) if stand else None, bool(stand))
    others = {c for x in links for c in x.candidates if c != project_id}
    codes = dict(Project.objects.filter(id__in=others | {project_id}).values_list("id", "code"))
    per_basis = Counter(x.basis for x in links)
    extracts = BagExtract.objects.filter(id__in={x.extract_id for x in links}).order_by("stand_date", "id")
    return {
        "reference_date": reference,
        "linkable": result.linkable,
        "linked": len(links),
        "by_basis": [
            {"basis": b, "label": str(basis.BASIS_LABELS[b]), "count": per_basis[b]}
            for b in basis.BASIS
            if per_basis[b]
        ],  # fmt: skip
        "links": [
            {
                "identificatie": x.identificatie,
                "basis": x.basis,
                "ambiguous": x.ambiguous,
                "candidates": [codes[c] for c in x.candidates],
            }
            for x in links
        ],  # fmt: skip
        "ambiguous": [
            {
                "identificatie": x.identificatie,
                "basis": x.basis,
                "others": [codes[c] for c in x.candidates if c != project_id],
            }
            for x in links
            if x.ambiguous
        ],  # fmt: skip
        "extracts": [{"id": e.id, "file_name": e.file_name, "stand_date": e.stand_date} for e in extracts],
        "bag_until": min(stand) if stand else None,
        "years": [dataclasses.asdict(row) for row in result.years],
        "flags": [{"code": f.code, "title": f.title, "message": f.message, "numbers": f.numbers} for f in result.flags],
    }
