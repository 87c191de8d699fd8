"""API keys for machine clients: random, shown once, stored as a SHA-256 hash."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from bouwregie.accounts.models import ApiToken

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
    """The active user behind a key, or None (unknown, revoked or inactive user)."""
    if not key or not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.filter(key_hash=_hash(key), revoked=False).select_related("user").first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
