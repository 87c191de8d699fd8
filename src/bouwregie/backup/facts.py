"""What a backup promises: the facts of a database that a restore must give back exactly.

Written into the manifest at backup time and read again from the restored database:

- the applied migrations (which version of the schema the data belongs to);
- the row count of every table (but the derived ones, DERIVED);
- a sha256 over the ordered rows of the append-only history (db_guards.APPEND_ONLY_TABLES) and of the
  closed peilingen: one changed, missing or extra row changes it;
- the triggers that guard that history; after a restore they must also refuse an UPDATE;
- a sha256 of the monitor figures (NL, provinces, municipalities) of every closed peiling.

Everything is read through Django's default connection, so the monitor computes its figures exactly as
the running application does; `database_named` points that connection at another database for a while
(a copy being written, or a trial restore).
"""

import hashlib
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal

import orjson
from django.db import DatabaseError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from bouwregie.convenant.apps import GUARDED as CONVENANT_TABLES
from bouwregie.projects.db_guards import APPEND_ONLY_TABLES
from bouwregie.sok.apps import GUARDED as SOK_TABLES
from bouwregie.woondeals.db_guards import TABLES as WOONDEAL_TABLES
from bouwregie.woontop.apps import GUARDED as WOONTOP_TABLES

# The history a restore must give back row for row: table -> which rows (closed peilingen never change). The
# woondeals' versions are append-only history too (issue #17).
HISTORY = {
    **{table: "" for table in APPEND_ONLY_TABLES},
    "projects_peiling": "WHERE closed_at IS NOT NULL",
    **{table: "" for table in WOONDEAL_TABLES},
    **{table: "" for table in (*CONVENANT_TABLES, *SOK_TABLES, *WOONTOP_TABLES)},  # issue #23
}


def collect(with_figures: bool = True) -> dict:
    """The facts of the database behind the default connection (see the module docstring)."""
    facts = {
        "migrations": applied_migrations(),
        "tables": table_counts(),
        "history": {table: history_digest(table, where) for table, where in HISTORY.items()},
        "triggers": triggers(),
    }
    if with_figures:
        facts["figures"] = figure_digests()
    return facts


def applied_migrations() -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    if "django_migrations" not in connection.introspection.table_names():
        return result
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            result.setdefault(app, []).append(name)
    return result


def unknown_migrations(migrations: dict[str, list[str]]) -> list[str]:
    """Migrations of a backup that this version of Bouwregie does not have: the backup is from a newer one."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in sorted(migrations.items()) for name in names if (app, name) not in known]


def pending_migrations(migrations: dict[str, list[str]]) -> list[str]:
    """Migrations of this version that the backup's database has not had yet (an older backup)."""
    applied = {(app, name) for app, names in migrations.items() for name in names}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)


# Derived from the history, not recorded: a closed peiling's materialised snapshot (monitor/materialised.py) is
# built when first asked, also while a backup computes its figures, so its row count is no fact of the backup. A
# restored copy holds what was there; whatever is missing is rebuilt, and the figures are compared all the same.
DERIVED = {"monitor_snapshotpart"}


def table_counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(set(connection.introspection.table_names()) - DERIVED):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    raise TypeError(type(value))


def history_digest(table: str, where: str = "") -> dict:
    """Row count and sha256 of the rows of `table` ordered by its primary key, columns in name order, each row
    one line of canonical JSON. Streamed (a server-side cursor on PostgreSQL), so a national history fits in memory."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        columns = sorted(c.name for c in connection.introspection.get_table_description(cursor, table))
        key = connection.introspection.get_primary_key_column(cursor, table)  # 'id', or e.g. a seal's version_id
    digest, rows = hashlib.sha256(), 0
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)} {where} ORDER BY {quote(key)}"
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(5000):
            for row in chunk:
                digest.update(orjson.dumps(row, default=_plain, option=orjson.OPT_SORT_KEYS) + b"\n")
            rows += len(chunk)
    return {"rows": rows, "sha256": digest.hexdigest()}


def triggers() -> list[str]:
    """The triggers in the database, as 'table.trigger'."""
    if connection.vendor == "sqlite":
        sql = "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1"
    elif connection.vendor == "postgresql":
        sql = (
            "SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY 1"
        )
    else:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def forget_cached_figures() -> None:
    """The monitor keeps the figures of closed peilingen per process, keyed by peiling id and close time: a
    restored copy has the same keys, so its figures must be computed afresh, not taken from memory."""
    from bouwregie.monitor import api, snapshot

    snapshot.forget_kept()
    api.forget_kept()


def figure_digests() -> dict[str, str]:
    """sha256 of the monitor figures of every area (NL, provinces, municipalities) per closed peiling."""
    from bouwregie.monitor import api
    from bouwregie.projects.models import Peiling

    forget_cached_figures()
    result = {}
    for code in (
        Peiling.objects.filter(closed_at__isnull=False).order_by("year", "quarter").values_list("code", flat=True)
    ):
        figures = api.national(code)
        encoded = orjson.dumps(figures, default=str, option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY)
        result[code] = hashlib.sha256(encoded).hexdigest()
    forget_cached_figures()
    return result


class _Accepted(Exception):
    pass


def guards_refusing() -> list[str]:
    """Try an UPDATE of a project and of a closed peiling (rolled back either way): the triggers must refuse.
    Returns what was wrongly accepted."""
    accepted = []
    quote = connection.ops.quote_name
    for table, where in (("projects_project", ""), ("projects_peiling", HISTORY["projects_peiling"])):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN({quote('id')}) FROM {quote(table)} {where}")
            row_id = cursor.fetchone()[0]
        if row_id is None:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote('id')} = {quote('id')} WHERE {quote('id')} = %s", [row_id]
                )
                raise _Accepted
        except _Accepted:
            accepted.append(table)
        except DatabaseError:
            pass  # refused by the trigger, as it must be
    return accepted


def differences(manifest: dict, found: dict, same_version: bool = True) -> list[str]:
    """Every way in which the restored database differs from the manifest, as Dutch sentences (empty: complete)."""
    problems = []
    for table, count in manifest["tables"].items():
        if table not in found["tables"]:
            problems.append(_("Tabel %(table)s ontbreekt.") % {"table": table})
        elif found["tables"][table] != count:
            problems.append(
                _("Tabel %(table)s heeft %(found)d rijen, de backup %(expected)d.")
                % {"table": table, "found": found["tables"][table], "expected": count}
            )
    for table, expected in manifest["history"].items():
        got = found["history"].get(table)
        if got is not None and got["rows"] == expected["rows"] and got["sha256"] != expected["sha256"]:
            problems.append(_("De historie in %(table)s wijkt af van de backup (controlesom).") % {"table": table})
        elif got is not None and got["rows"] != expected["rows"]:
            problems.append(
                _("De historie in %(table)s heeft %(found)d rijen, de backup %(expected)d.")
                % {"table": table, "found": got["rows"], "expected": expected["rows"]}
            )
    missing = sorted(set(manifest.get("triggers", [])) - set(found["triggers"]))
    if missing:
        problems.append(_("Triggers ontbreken: %(names)s.") % {"names": ", ".join(missing)})
    for table in found.get("accepted_updates", []):
        problems.append(_("Een UPDATE op %(table)s werd niet geweigerd.") % {"table": table})
    if same_version and "figures" in manifest and "figures" in found:
        for code, digest in manifest["figures"].items():
            if found["figures"].get(code) != digest:
                problems.append(_("De monitorcijfers van peiling %(code)s wijken af.") % {"code": code})
    return problems


@contextmanager
def database_named(name):
    """Point Django's default connection at another database of the same server (or another SQLite file)
    for a while, as Django's own test runner does for its test database."""
    from django.db import connections

    wrapper = connections["default"]
    wrapper.close()
    old = wrapper.settings_dict["NAME"]
    wrapper.settings_dict["NAME"] = str(name)
    forget_cached_figures()
    try:
        yield wrapper
    finally:
        wrapper.close()
        wrapper.settings_dict["NAME"] = old
        forget_cached_figures()
