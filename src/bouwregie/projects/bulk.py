"""Fast append of many rows, for imports and the demo dataset.

Django's bulk_create builds a model instance per row, which dominates the cost at a million
milestones. Here rows are plain tuples: PostgreSQL gets them through COPY, SQLite through
executemany inside the caller's transaction. Values are converted per column, from the model's field
types, only where the database needs it. Only `services` writes through this.
"""

import gc
from contextlib import contextmanager
from datetime import UTC
from functools import lru_cache

import orjson
from django.db import connection, models

BATCH = 50_000


@contextmanager
def cycle_collector_paused():
    """Build and write many rows without Python's cyclic garbage collector.

    An import allocates a few hundred thousand dicts, tuples and dataclasses that live until the
    commit and form no reference cycles; the collector would traverse all of them again and again as
    they pile up (a quarter of a 25,000-plan import, measured). Memory is still freed by reference
    counting; a cycle made meanwhile is collected once the collector is back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_EMPTY_JSON = {dict: "{}", list: "[]", tuple: "[]"}


def _json(value):
    if value is None:
        return None
    if not value and type(value) in _EMPTY_JSON:  # most optional JSON fields are empty
        return _EMPTY_JSON[type(value)]
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


@lru_cache(maxsize=1024)  # an import stamps every row with the same moment
def _naive_utc(value):
    """Django stores SQLite datetimes as naive UTC text; the same format keeps SQL comparisons right."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _converters(model, columns: list[str]) -> list[tuple[int, callable]]:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    result = []
    for index, column in enumerate(columns):
        field = by_column[column]
        if isinstance(field, models.JSONField):
            result.append((index, _json))
        elif connection.vendor == "sqlite" and isinstance(field, models.DateTimeField):
            result.append((index, _naive_utc))
        # A date needs nothing: Django's SQLite backend registers the adapter (ISO text, as it stores dates), which
        # sqlite3 calls from C; converting here cost a copy of each row (0.6 s of a 5,000-project demo, issue #21).
    return result


def _prepared(rows, converters):
    if not converters:
        yield from rows
        return
    for row in rows:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index])
        yield row


def insert_rows(model, columns: list[str], rows) -> int:
    """Append rows (iterables of values in `columns` order) to the model's table; returns count."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    column_sql = ", ".join(quote(c) for c in columns)
    prepared = _prepared(rows, _converters(model, columns))
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(table)} ({column_sql}) FROM STDIN") as copy:
                for row in prepared:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {quote(table)} ({column_sql}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in prepared:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def next_ids(model, how_many: int) -> range:
    """Reserve a block of primary keys; call inside the transaction that inserts them."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return range(start, start + how_many)


def reset_sequences(*models_) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


# Above this many new rows, PostgreSQL's planner statistics are refreshed at once instead of waiting for
# autovacuum: with stale statistics a self-join over milestones was planned as a cross product (minutes).
ANALYZE_ABOVE = 10_000


def refresh_statistics(new_rows: int, *models_) -> None:
    if connection.vendor != "postgresql" or new_rows <= ANALYZE_ABOVE:
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
