"""Finding projects: one filter set for the project list in the browser, its exports and the REST API,
so the three always show the same projects for the same question."""

from dataclasses import dataclass
from datetime import UTC
from functools import cached_property

from django.db import connection
from django.db.models import DateField, F, Q, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from bouwregie.geo.areas import Area, resolve_area
from bouwregie.projects.enums import HARD_STATUSES, SOFT_STATUSES, Lifecycle
from bouwregie.projects.models import CurrentVersion, ExternalId
from bouwregie.projects.planned_delivery import planned_delivery_sql
from bouwregie.projects.rules import SEGMENTS
from bouwregie.projects.services import current_versions

# What a list can be sorted by (users see the Dutch names in the page); '-' in front sorts descending.
SORTS = {
    "naam": "name",
    "code": "current__code",
    "gemeente": "municipality__name",
    "woningen": "homes_total",
    "planstatus": "plan_status",
    "fase": "phase",
    "bijgewerkt": "created_at",
    "oplevering": "planned_delivery",  # annotated by with_planned_delivery (projects without one last)
}


# What a list row never shows: the JSON details of a version and the municipal borders. Reading them
# cost more than the rest of a page of 25 rows (ask them of the project itself).
LIST_DEFERRED = ("homes_by_segment", "target_groups", "tenure", "phasing", "source_info", "bottlenecks", "subsidies",
                 "bag_ids", "open_book", "geometry", "bbox", "municipality__geometry",
                 "municipality__bbox")  # fmt: skip


@dataclass
class ProjectQuery:
    area: str | None = None  # NL, PVxx, GMxxxx, a region code or a name (geo.areas)
    search: str | None = None  # part of the name, or an exact project code or external id
    plan_status: str | None = None  # an IPO code, or 'hard' / 'zacht'
    phase: str | None = None  # last milestone reached; '' = none yet
    segment: str | None = None  # projects with homes in this segment
    bottleneck: str | None = None
    lifecycle: str | None = Lifecycle.ACTIEF  # None: every lifecycle
    project_ids: frozenset | None = None  # e.g. the delayed projects of an area
    external_id: str | None = None  # the id a source's plan list gives the project (exact, any case)
    external_source: str | None = None  # ... in this source only (exact, any case); alone: every id it gave
    sort: str = "code"

    @cached_property
    def resolved_area(self) -> Area:
        """The area, resolved once for the count and the rows (geo.areas.UnknownArea when unknown)."""
        return resolve_area(self.area)


def find(q: ProjectQuery):
    """The current versions matching q, sorted; raises geo.areas.UnknownArea and ValueError (bad sort,
    segment) with a message for the user."""
    versions = current_versions().filter(_area_and_lifecycle(q, "current__"))
    if q.search:
        versions = versions.filter(
            Q(name__icontains=q.search)
            | Q(current__code__icontains=q.search)
            | Q(project_id__in=_linked(q.search, None))
        )
    if q.external_id or q.external_source:
        versions = versions.filter(project_id__in=_linked(q.external_id, q.external_source))
    if q.plan_status:
        statuses = {"hard": HARD_STATUSES, "zacht": SOFT_STATUSES}.get(q.plan_status, {q.plan_status})
        versions = versions.filter(plan_status__in=statuses)
    if q.phase is not None:
        versions = versions.filter(phase=q.phase)
    if q.segment:
        if q.segment not in SEGMENTS:
            raise ValueError(q.segment)
        versions = versions.filter(**{f"homes_{q.segment}__gt": 0})
    if q.bottleneck:
        # A JSON list of codes; its text contains the quoted code on SQLite and PostgreSQL alike.
        versions = versions.annotate(bottleneck_text=Cast("bottlenecks", TextField())).filter(
            bottleneck_text__contains=f'"{q.bottleneck}"'
        )
    if q.project_ids is not None:
        versions = versions.filter(project_id__in=q.project_ids)
    field = SORTS.get(q.sort.lstrip("-"))
    if field is None:
        raise ValueError(q.sort)
    if field == "planned_delivery":
        versions = with_planned_delivery(versions)
        order = F(field).desc(nulls_last=True) if q.sort.startswith("-") else F(field).asc(nulls_last=True)
    else:
        order = f"{'-' if q.sort.startswith('-') else ''}{field}"
    return versions.select_related("project", "municipality").defer(*LIST_DEFERRED).order_by(order, "current__code")


def with_planned_delivery(versions):
    """The versions annotated with `planned_delivery` (a date or None)."""
    return versions.annotate(planned_delivery=RawSQL(planned_delivery_sql(), (), output_field=DateField()))


def _linked(external_id: str | None, source: str | None):
    """The projects a source's list knows by this id, as a subquery: a project listed under the same id by
    two sources is found once (a join would give it a row per source). Case-insensitive, because lists
    write the same id as 'p-001' one quarter and 'P-001' the next (issue 15: find projects again by the id
    they have in the list)."""
    ids = ExternalId.objects.all()
    if external_id:
        ids = ids.filter(external_id__iexact=external_id)
    if source:
        ids = ids.filter(source__iexact=source)
    return ids.values("project_id")


def _area_and_lifecycle(q: ProjectQuery, prefix: str) -> Q:
    """The filters every list starts with, on the current-version index (prefix: the path to it)."""
    condition = Q(**{f"{prefix}lifecycle": q.lifecycle}) if q.lifecycle else Q()
    if q.area:
        area = q.resolved_area
        if area.kind != "nl":
            in_area = Q(**{f"{prefix}municipality_id__in": area.municipalities})
            if area.projects:
                in_area |= Q(**{f"{prefix}project_id__in": area.projects})
            condition &= in_area
    return condition


def _area_and_lifecycle_only(q: ProjectQuery) -> bool:
    return not (q.search or q.project_ids is not None or _other_filters(q))


def _other_filters(q: ProjectQuery) -> bool:
    """Whether q filters on more than area, lifecycle, search text and a set of projects (what the current-version
    index answers)."""
    return bool(q.plan_status or q.phase is not None or q.segment or q.bottleneck or q.external_id
                or q.external_source)  # fmt: skip


def count(q: ProjectQuery) -> int:
    """len(find(q)), counted on the current-version index when only area, lifecycle and search text filter
    (the usual questions of a list; then no version needs reading beyond the names that match)."""
    if _other_filters(q):
        return find(q).count()
    if _area_and_lifecycle_only(q):
        return CurrentVersion.objects.filter(_area_and_lifecycle(q, "")).count()
    condition, params = _index_condition(q)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM projects_currentversion c WHERE {condition}", params)
        return cursor.fetchone()[0]


# A list row (the API's ProjectSummary): the ORM path and the SQL below give the same columns in this order.
SUMMARY_COLUMNS = ("current__code", "name", "municipality_id", "municipality__name", "municipality__province_id",
                   "number", "created_at", "lifecycle", "plan_type", "plan_status", "phase", "homes_total",
                   *(f"homes_{s}" for s in SEGMENTS))  # fmt: skip
_SQL_COLUMNS = {"current__code": "c.code", "municipality__name": "m.name", "municipality__province_id": "m.province_id"}
_SQL_SORTS = {**{key: f"v.{field}" for key, field in SORTS.items() if key != "oplevering"}, "code": "c.code",
              "gemeente": "m.name", "oplevering": "c.planned_delivery"}  # fmt: skip


def _on_the_index(q: ProjectQuery) -> bool:
    """Whether q is a usual question (area, lifecycle and search text only, a plain sort) that plain SQL answers."""
    return not _other_filters(q) and q.sort.lstrip("-") in _SQL_SORTS


def _like(text: str) -> str:
    """`text` as a LIKE pattern for 'contains', with LIKE's own characters taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _index_condition(q: ProjectQuery) -> tuple[str, list]:
    """The WHERE of an area, lifecycle and search question on the current-version index (alias c), with its
    parameters. The search is find()'s: part of the name or the project code (any case), or exactly an external
    id (any case); the name is matched in a subquery that PostgreSQL answers from a trigram index (migration
    0009) instead of reading every version."""
    where, params = ["TRUE"], []
    if q.lifecycle:
        where.append("c.lifecycle = %s")
        params.append(q.lifecycle)
    area = q.resolved_area if q.area else None
    if area is not None and area.kind != "nl":
        parts = []
        for column, values in (("municipality_id", area.municipalities), ("project_id", area.projects)):
            if values:
                parts.append(f"c.{column} IN ({', '.join(['%s'] * len(values))})")
                params += sorted(values)
        where.append(f"({' OR '.join(parts) or 'FALSE'})")
    if q.search:
        where.append(
            "(c.version_id IN (SELECT n.id FROM projects_projectversion n WHERE UPPER(n.name) LIKE UPPER(%s) "
            "ESCAPE '\\') OR UPPER(c.code) LIKE UPPER(%s) ESCAPE '\\' OR c.project_id IN "
            "(SELECT e.project_id FROM projects_externalid e WHERE UPPER(e.external_id) = UPPER(%s)))"
        )
        params += [_like(q.search), _like(q.search), q.search]
    if q.project_ids is not None:  # e.g. the delayed projects of an area (1,125 of the demo's 25,000)
        where.append(f"c.project_id IN ({', '.join(['%s'] * len(q.project_ids))})" if q.project_ids else "FALSE")
        params += sorted(q.project_ids)
    return " AND ".join(where), params


def _index_order(q: ProjectQuery) -> str:
    """find()'s order: the sort column (a planned delivery nowhere known last, either way), then the code."""
    column, descending = _SQL_SORTS[q.sort.lstrip("-")], q.sort.startswith("-")
    nulls = " NULLS LAST" if column == "c.planned_delivery" else ""
    return f"{column}{' DESC' if descending else ''}{nulls}, c.code"


def page_version_ids(q: ProjectQuery, offset: int, limit: int) -> list[int] | None:
    """The ids of one page of find(q), in its order, asked in plain SQL when q is the usual question (None
    otherwise: use find). The web list's hot path: the ORM query sorts the whole list with every column it
    selects (0.29 s on the 25,000-project demo on a busy machine), this sorts only the ids (0.05 s)."""
    if not _on_the_index(q):
        return None
    condition, params = _index_condition(q)
    key = q.sort.lstrip("-")
    joins = "" if key in ("code", "oplevering") else " JOIN projects_projectversion v ON v.id = c.version_id"
    if key == "gemeente":
        joins += " JOIN geo_municipality m ON m.code = v.municipality_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.version_id FROM projects_currentversion c{joins} WHERE {condition} "
                       f"ORDER BY {_index_order(q)} LIMIT %s OFFSET %s", [*params, limit, offset])  # fmt: skip
        return [row[0] for row in cursor.fetchall()]


def summary_page(q: ProjectQuery, offset: int, limit: int) -> tuple[int, list[tuple]]:
    """(how many match, the SUMMARY_COLUMNS of one page of them). The API's hot path: machine clients
    poll a municipality's projects, where building the ORM query cost twice what the database needs to
    answer it. So the usual question — area and lifecycle only — is asked in plain SQL on the current-version
    index, in the same order as find(); any other filter goes through find(). tests/test_search.py holds
    both paths to the same answer."""
    if not _on_the_index(q):
        return count(q), list(find(q).values_list(*SUMMARY_COLUMNS)[offset : offset + limit])
    condition, params = _index_condition(q)
    columns = ", ".join(_SQL_COLUMNS.get(c, f"v.{c}") for c in SUMMARY_COLUMNS)
    order = _index_order(q)
    counted = f"SELECT COUNT(*) FROM projects_currentversion c WHERE {condition}"
    with connection.cursor() as cursor:  # the count rides along with the page: one round trip, counted once
        cursor.execute(
            f"SELECT {columns}, ({counted}) FROM projects_currentversion c JOIN projects_projectversion v "
            f"ON v.id = c.version_id JOIN geo_municipality m ON m.code = v.municipality_id WHERE {condition} "
            f"ORDER BY {order} LIMIT %s OFFSET %s", [*params, *params, limit, offset]
        )  # fmt: skip
        rows = cursor.fetchall()
        if rows:
            total, rows = rows[0][-1], [row[:-1] for row in rows]
        else:  # past the last page
            cursor.execute(counted, params)
            (total,) = cursor.fetchone()
    at = SUMMARY_COLUMNS.index("created_at")
    if rows and rows[0][at].tzinfo is None:  # SQLite keeps naive UTC (as Django writes it); the ORM adds the zone
        rows = [(*r[:at], r[at].replace(tzinfo=UTC), *r[at + 1 :]) for r in rows]
    return total, rows
