"""The planned delivery of a version as SQL (rules.planned_delivery), one text for every place that needs it:
the project list's sort (search.with_planned_delivery), the current-version index that keeps it per project
(services._set_current) and the migration that filled that index (0008)."""

from django.db import connection

# The planned delivery of a version (rules.planned_delivery, in SQL so that a list sorts on it): the date of
# its last oplevering milestone — planned, else actual — else the 31st of December of its phasing's last year.
# SQLite keeps dates as ISO text (a CAST would make the text a number); PostgreSQL needs the date type.
_PHASING_LAST_DAY = {
    "sqlite": "(SELECT MAX(j.key) FROM json_each({table}.phasing) j) || '-12-31'",
    "postgresql": "CAST((SELECT MAX(k) FROM jsonb_object_keys({table}.phasing) k) || '-12-31' AS DATE)",
}


def planned_delivery_sql(table: str = "projects_projectversion", vendor: str | None = None) -> str:
    """The planned delivery of the version row `table` (a table name or alias) as an SQL expression. Also what
    services._set_current copies into the current-version index, and migration 0008 filled it with."""
    return (
        "COALESCE((SELECT COALESCE(m.planned, m.actual) FROM projects_milestone m "
        f"WHERE m.version_id = {table}.id AND m.kind = 'oplevering' ORDER BY m.sequence DESC LIMIT 1), "
        f"{_PHASING_LAST_DAY[vendor or connection.vendor].format(table=table)})"
    )
