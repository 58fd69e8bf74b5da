"""Reads on users: personal API tokens (listing, and finding the one a key belongs to)."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from accounts.api_tokens import key_hash, key_prefix
from accounts.models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """`user`'s active tokens, newest first (never a key: only its prefix is stored)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def api_token_get(*, user: User, token_id: int) -> ApiToken | None:
    """`user`'s active token `token_id`, or None (someone else's, revoked or missing)."""
    return api_token_list(user=user).filter(pk=token_id).first()


def api_token_find(*, key: str) -> ApiToken | None:
    """The active token whose key is `key`, with its user; None for any other key.

    The prefix finds at most one row; the hashes are compared in constant time.
    """
    prefix = key_prefix(key)
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, key_hash(key)):
        return None
    return token
