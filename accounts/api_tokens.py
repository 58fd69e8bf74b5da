"""The shape of a personal API token: making a key, hashing it, and finding its prefix.

A key is `mt_<10 hex>_<secret>`: its prefix `mt_<10 hex>` is public (shown on the profile page)
and unique, the look-up; `secret` is 32 random bytes (URL-safe base64). Only SHA-256 of the
whole key is stored: with 256 random bits a fast hash is enough (nothing to brute-force), and no
server secret is involved, so rotating DJANGO_SECRET_KEY leaves tokens working.

Keys made by DRF's former `rest_framework.authtoken` (40 hex characters, stored in plain text
until migration 0003 hashed them) are still accepted: their prefix is their first 10 characters.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_SCHEME = "mt"
PREFIX_LENGTH = 10
LEGACY_KEY = re.compile(r"^[0-9a-f]{40}$")
KEY = re.compile(r"^(?P<prefix>mt_[0-9a-f]{10})_(?P<secret>[A-Za-z0-9_-]{43})$")


def key_generate() -> tuple[str, str]:
    """(prefix, key) for a new token."""
    prefix = f"{KEY_SCHEME}_{secrets.token_hex(PREFIX_LENGTH // 2)}"
    return prefix, f"{prefix}_{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The prefix to look a key up by, or None when it is not a key of ours at all."""
    match = KEY.match(key)
    if match:
        return match["prefix"]
    if LEGACY_KEY.match(key):
        return key[:PREFIX_LENGTH]
    return None
