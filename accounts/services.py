"""Writes on users: the idempotent admin and demo accounts, preferences, personal API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.api_tokens import key_generate, key_hash
from accounts.models import ApiToken, User
from core.exceptions import ApplicationError

API_TOKENS_PER_USER = 20
# last_used_at is written at most once a minute per token: a busy script costs no extra writes.
API_TOKEN_TOUCH_EVERY = timedelta(minutes=1)


@transaction.atomic
def user_ensure_admin(*, username: str = "admin", password: str) -> tuple[User, bool]:
    """Create the superuser `username` if missing; an existing one keeps its password."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, created


@transaction.atomic
def user_ensure_demo() -> tuple[User, bool]:
    """Create the shared demo user if missing; it has no usable password."""
    user, created = User.objects.get_or_create(
        username=settings.DEMO_USERNAME,
        defaults={"is_demo": True, "first_name": "Demo", "last_name": "Listener"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


@transaction.atomic
def user_update_preferences(*, user: User, default_strategy: str, image_retention: str) -> User:
    """Save the profile's preferences (choices are validated by the form and the model)."""
    user.default_strategy = default_strategy
    user.image_retention = image_retention
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["default_strategy", "image_retention"])
    return user


@dataclass(frozen=True)
class NewApiToken:
    """A token just made, with its key: the only moment the key exists outside the client."""

    token: ApiToken
    key: str


def api_token_create(*, user: User, name: str) -> NewApiToken:
    """Make a token named `name` for `user`; only its hash is stored, the key is returned once."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the token a name.")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= API_TOKENS_PER_USER:
        raise ApplicationError(
            f"You have {API_TOKENS_PER_USER} active tokens; revoke one before making another."
        )
    for _ in range(5):  # a 40-bit prefix collides rarely; try again if it does
        prefix, key = key_generate()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user, name=name[:64], prefix=prefix, key_hash=key_hash(key)
                )
        except IntegrityError:
            continue
        return NewApiToken(token=token, key=key)
    raise ApplicationError("Could not make a token just now; please try again.")


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke `user`'s active token `token_id`; None when they have no such active token."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(user=user, pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Note that `token` was used now, unless that was noted in the last minute."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_TOUCH_EVERY:
        return
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - API_TOKEN_TOUCH_EVERY),
        pk=token.pk,
    ).update(last_used_at=now)
    token.last_used_at = now
