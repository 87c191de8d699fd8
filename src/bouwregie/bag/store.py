"""Batched inserts of BAG rows: COPY on PostgreSQL, one prepared executemany per batch on SQLite. Rows are
plain tuples in the column order given; a batch is flushed when full, so memory stays flat however many rows
pass through. Only the importer writes with these (inside its transaction)."""

import json

from django.db import IntegrityError, connection

VOORKOMEN_COLUMNS = ("extract_id", "object_type", "identificatie", "voorkomen", "status", "begin_geldigheid",
                     "eind_geldigheid", "tijdstip_registratie", "eind_registratie", "tijdstip_inactief",
                     "documentdatum", "documentnummer", "bouwjaar", "gebruiksdoelen", "oppervlakte", "pand_ids",
                     "hoofdadres", "x", "y", "postcode", "huisnummer", "huisletter", "toevoeging")  # fmt: skip
WONING_COLUMNS = ("extract_id", "identificatie", "municipality", "x", "y", "lon", "lat", "pand_ids", "permit_date",
                  "start_date", "delivery_date", "demolition_date", "not_realised_date", "origin",
                  "status_now")  # fmt: skip
BATCH = 20_000


def json_list(values) -> str | None:
    """A JSON array of strings, written directly for the plain identifiers and words BAG lists hold (json.dumps
    for anything that would need escaping)."""
    if not values:
        return None
    joined = '","'.join(values)
    if '"' in joined or "\\" in joined or not joined.isprintable():
        return json.dumps(list(values))
    return '["' + joined + '"]'


def voorkomen_row(extract_id: int, v) -> tuple:
    return (extract_id, v.object_type, v.identificatie, v.voorkomen, v.status, v.begin, v.eind, v.registratie,
            v.eind_registratie, v.inactief, v.documentdatum, v.documentnummer, v.bouwjaar,
            json_list(v.gebruiksdoelen), v.oppervlakte, json_list(v.pand_ids), v.hoofdadres, v.x, v.y, v.postcode,
            v.huisnummer, v.huisletter, v.toevoeging)  # fmt: skip


class BatchWriter:
    """Collects rows for `table` and writes them `BATCH` at a time."""

    def __init__(self, table: str, columns: tuple, batch: int | None = None):
        self.table, self.columns, self.batch = table, columns, batch or BATCH
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                import psycopg

                # COPY goes through psycopg's own cursor, whose errors Django does not wrap: a duplicate voorkomen
                # must be the IntegrityError the importer turns into a Dutch message, as on SQLite.
                try:
                    with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                        for row in self.rows:
                            copy.write_row(row)
                except psycopg.IntegrityError as error:
                    raise IntegrityError(*error.args) from error
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {self.table} ({names}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []
