"""Fast append of many rows, for imports and the demo dataset.

Django's bulk_create builds a model instance per row, which dominates the cost at a million
milestones. Here rows are plain tuples: PostgreSQL gets them through COPY, SQLite through
executemany inside the caller's transaction. Only `services` calls this.
"""

import json
from datetime import UTC, date, datetime

from django.db import connection


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


def _copy_value(value):
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False)
    return value


def insert_rows(model, columns: list[str], rows) -> int:
    """Append rows (iterables of values in `columns` order) to the model's table; returns count."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([_copy_value(v) for v in row])
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({placeholders})"
            batch = []
            for row in rows:
                batch.append([_sqlite_value(v) for v in row])
                if len(batch) == 50_000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def next_ids(model, how_many: int) -> range:
    """Reserve a block of primary keys; call inside the transaction that inserts them."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return range(start, start + how_many)


def reset_sequences(*models) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
