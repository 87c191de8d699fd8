"""API keys for machine clients: random, shown once, stored as a SHA-256 hash."""

import hashlib
import secrets
from datetime import UTC, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from bouwregie.accounts.models import ApiToken, Membership, Organisation
from bouwregie.accounts.policy import Principal, Seat

PREFIX = "br_"
# "Last used" is kept to the minute: writing it on every request made each API call a database commit
# (a disk flush on PostgreSQL), which capped a machine client at ~90 requests/s.
LAST_USED_PRECISION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user, name: str) -> str:
    key = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key))
    return key


def user_for(key: str):
    """The active user behind a key, or None (unknown, revoked or inactive user).

    Machine clients call the API many times a second, so the key, its user and the user's seats come in one
    query (two ORM queries cost more than the question they guard), and the user carries its Principal for
    policy.principal_for: the seats as they are at this request, never older.
    """
    if not key or not key.startswith(PREFIX):
        return None
    rows = _token_user_and_seats(_hash(key))
    if not rows:
        return None
    token_id, last_used, *values = rows[0][: -len(SEAT_COLUMNS)]
    user = get_user_model().from_db(connection.alias, _user_fields(), values)
    seats = tuple(Seat(*row[-len(SEAT_COLUMNS) :]) for row in rows if row[-1] is not None)
    user.principal = Principal(user.get_username(), user.is_superuser, seats)
    now = timezone.now()
    if last_used is not None and timezone.is_naive(last_used):  # SQLite: naive UTC
        last_used = last_used.replace(tzinfo=UTC)
    if last_used is None or now - last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user


SEAT_COLUMNS = ("o.kind", "m.role", "o.province_id", "o.municipality_id", "o.id")  # policy.Seat's order


def _user_fields() -> list[str]:
    return [f.attname for f in get_user_model()._meta.concrete_fields]


def _token_user_and_seats(key_hash: str) -> list[tuple]:
    user_model, quote = get_user_model(), connection.ops.quote_name
    columns = ", ".join(f"u.{quote(f.column)}" for f in user_model._meta.concrete_fields)
    tables = {name: quote(model._meta.db_table) for name, model in
              (("t", ApiToken), ("u", user_model), ("m", Membership), ("o", Organisation))}  # fmt: skip
    sql = (f"SELECT t.id, t.last_used_at, {columns}, {', '.join(SEAT_COLUMNS)} FROM {tables['t']} t "
           f"JOIN {tables['u']} u ON u.id = t.user_id LEFT JOIN {tables['m']} m ON m.user_id = u.id "
           f"LEFT JOIN {tables['o']} o ON o.id = m.organisation_id "
           f"WHERE t.key_hash = %s AND t.revoked = %s AND u.is_active = %s")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash, False, True])
        return cursor.fetchall()
