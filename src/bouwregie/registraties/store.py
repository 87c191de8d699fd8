"""Link the BAG woningen to the projects and keep the result (docs/registraties-koppeling.md "Koppelingen
bewaren"): `relink` runs linking.link over the woningen (BagWoning) of the newest extract per municipality
against the current project versions (bag_ids and geometry), and stores each extract's links as a new LinkSet
in bulk (COPY on PostgreSQL). The sets are append-only; the current links of a project are those of the newest
set of each municipality's newest extract."""

import json
from collections import defaultdict

from django.db import connection, transaction
from django.utils.translation import gettext as _

from bouwregie.bag.store import BatchWriter
from bouwregie.formatting import number
from bouwregie.registraties import linking, reconcile

LINK_COLUMNS = ("link_set_id", "extract_id", "identificatie", "project_id", "basis", "ambiguous", "candidates")


def project_areas() -> list[linking.ProjectArea]:
    """The current version of every project that can be linked at all: BAG ids, or a polygon (a point links
    nothing, linking rule 4), so that the count a linking run reports is what can really be linked."""
    from bouwregie.projects.models import CurrentVersion

    rows = CurrentVersion.objects.values_list("project_id", "version__bag_ids", "version__geometry")
    return [linking.ProjectArea(project_id, tuple(bag_ids or ()), geometry)
            for project_id, bag_ids, geometry in rows.iterator(chunk_size=5000)
            if reconcile.can_link(bag_ids, geometry)]  # fmt: skip


def _objects(extract_id: int, municipalities) -> linking.Objects:
    from bouwregie.bag.models import BagWoning

    rows = BagWoning.objects.filter(extract_id=extract_id, municipality__in=list(municipalities)).order_by(
        "identificatie"
    )
    return linking.Objects.from_records(rows.values_list("identificatie", "lon", "lat", "pand_ids").iterator())


def link_extract(extract_id: int, municipalities, areas, author: str):
    """One new LinkSet: the woningen of `municipalities` in the extract linked against `areas`."""
    from bouwregie.registraties.models import LinkSet

    objects = _objects(extract_id, municipalities)
    links = linking.link(objects, areas)
    ambiguous = sum(1 for code in links.basis_code if code in (linking.BY_ID_AMBIGUOUS, linking.BY_GEOMETRY_AMBIGUOUS))
    link_set = LinkSet.objects.create(extract_id=extract_id, municipalities=sorted(municipalities),
                                      created_by=author, woningen=len(objects), projects=len(areas),
                                      linked=len(links), ambiguous=ambiguous)  # fmt: skip
    writer = BatchWriter("registraties_registrationlink", LINK_COLUMNS)
    project_ids = links.project_ids()
    for i in range(len(links)):
        code = int(links.basis_code[i])
        several = code in (linking.BY_ID_AMBIGUOUS, linking.BY_GEOMETRY_AMBIGUOUS)
        candidates = list(links[i].candidates) if several else [int(project_ids[i])]
        identificatie = f"{int(objects.identificatie[int(links.object_index[i])]):016d}"
        writer.add((link_set.id, extract_id, identificatie, int(project_ids[i]),
                    linking.BASIS[code], several, json.dumps(candidates)))  # fmt: skip
    writer.flush()
    return link_set


def relink(municipalities=None, author: str = "bouwregie") -> list:
    """Link the newest extract of each municipality (all, or those given as GM codes) anew: one LinkSet per
    extract, in one transaction. Returns the new sets."""
    from bouwregie.bag.queries import newest_extracts

    newest = newest_extracts(municipalities)
    per_extract: dict[int, list] = defaultdict(list)
    for code, extract_id in newest.items():
        per_extract[extract_id].append(code)
    if not per_extract:
        return []
    areas = project_areas()
    with transaction.atomic():
        return [link_extract(extract_id, codes, areas, author) for extract_id, codes in sorted(per_extract.items())]


def relink_changed(changes) -> list:
    """After new project versions (projects.services.VERSION_LISTENERS): relink the municipalities of the projects
    whose BAG ids or geometry changed and that can be linked before or after, so that editing BAG ids (API, web
    form, plan-list import) takes effect at once, not only at the next `registraties link`. A new LinkSet per
    extract, the older ones kept (append-only); nothing when no extract of the municipality is loaded."""
    from bouwregie.bag.models import BagExtract
    from bouwregie.projects.models import ProjectVersion

    if not changes or not BagExtract.objects.exists():
        return []
    asked = {(project_id, version - 1) for project_id, version, *_ in changes if version > 1}
    rows = ProjectVersion.objects.filter(project_id__in={p for p, _ in asked}, number__in={n for _, n in asked})
    previous = {(p, n): (ids_, geometry) for p, n, ids_, geometry
                in rows.values_list("project_id", "number", "bag_ids", "geometry") if (p, n) in asked}  # fmt: skip
    municipalities = set()
    for project_id, version, data, municipality, _author in changes:
        old_ids, old_geometry = previous.get((project_id, version - 1)) or ((), None)
        new_ids, new_geometry = tuple(data.bag_ids or ()), data.geometry
        if (tuple(old_ids or ()), old_geometry or None) == (new_ids, new_geometry or None):
            continue
        if reconcile.can_link(old_ids, old_geometry) or reconcile.can_link(new_ids, new_geometry):
            municipalities.add(municipality)
    if not municipalities:
        return []
    return relink(sorted(municipalities), author=changes[0][4] or "bouwregie")


def current_sets() -> list[int]:
    """Ids of the LinkSets in force: per municipality, the newest set of its newest linked extract (by stand
    date, then load). Every load links its municipalities' newest extract (bag.importer), so this is the newest
    extract with woningen there (bag.queries.newest_extracts), read from the few link sets alone."""
    from bouwregie.registraties.models import LinkSet

    best: dict[str, tuple] = {}
    for set_id, extract_id, stand, covered in LinkSet.objects.values_list(
        "id", "extract_id", "extract__stand_date", "municipalities"
    ):
        for code in covered:
            key = (stand, extract_id, set_id)
            if code not in best or key > best[code]:
                best[code] = key
    return sorted({key[2] for key in best.values()})


def describe(link_set) -> str:
    """One Dutch line for the command line: what a linking run found."""
    return _("Gekoppeld aan projecten (extract %(extract)s, %(codes)s): %(linked)s van %(woningen)s woningen, "
             "%(ambiguous)s meerduidig, tegen %(projects)s projecten met een plangebied (polygoon) of BAG-id's.") % {
        "extract": link_set.extract_id, "codes": ", ".join(link_set.municipalities),
        "linked": number(link_set.linked), "woningen": number(link_set.woningen),
        "ambiguous": number(link_set.ambiguous), "projects": number(link_set.projects)}  # fmt: skip


def links_of(project_id: int):
    """The current links of one project (RegistrationLink rows), by identificatie."""
    from bouwregie.registraties.models import RegistrationLink

    return list(RegistrationLink.objects.filter(project_id=project_id, link_set_id__in=current_sets())
                .order_by("identificatie"))  # fmt: skip


def registered_deliveries(first_year: int, last_year: int) -> list[tuple[str, int, int | None, int]]:
    """(municipality, year, linked project id or None, homes): the BAG woningen that came into use as new build
    (origin 'nieuwbouw') in the years, from the newest extract per municipality (bag.queries), each with the
    project of its link in force. One LEFT JOIN per extract."""
    from datetime import date

    from bouwregie.bag.queries import newest_extracts

    per_extract: dict[int, list] = defaultdict(list)
    for code, extract_id in newest_extracts().items():
        per_extract[extract_id].append(code)
    sets = current_sets() or [0]
    counted: dict[tuple, int] = defaultdict(int)
    for extract_id, codes in sorted(per_extract.items()):
        marks_sets, marks_codes = ", ".join(["%s"] * len(sets)), ", ".join(["%s"] * len(codes))
        sql = ("SELECT w.municipality, w.delivery_date, l.project_id FROM bag_bagwoning w"
               " LEFT JOIN registraties_registrationlink l ON l.extract_id = w.extract_id"
               f" AND l.identificatie = w.identificatie AND l.link_set_id IN ({marks_sets})"
               f" WHERE w.extract_id = %s AND w.municipality IN ({marks_codes}) AND w.origin = %s"
               " AND w.delivery_date >= %s AND w.delivery_date <= %s")  # fmt: skip
        params = [*sets, extract_id, *sorted(codes), "nieuwbouw", date(first_year, 1, 1), date(last_year, 12, 31)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for code, day, project_id in cursor.fetchall():
                year = int(str(day)[:4])
                counted[(code, year, project_id)] += 1
    return [(code, year, project_id, n) for (code, year, project_id), n in sorted(counted.items(), key=str)]
