"""API keys for machine clients: random, shown once, stored as a SHA-256 hash."""

import hashlib
import secrets

from django.utils import timezone

from bouwregie.accounts.models import ApiToken

PREFIX = "br_"


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
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
