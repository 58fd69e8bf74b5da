"""Writes on users: the idempotent admin and demo accounts."""

from django.conf import settings
from django.db import transaction

from accounts.models import User


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
