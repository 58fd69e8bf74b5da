"""Tests for the custom User model."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.models import User


def test_the_project_uses_the_custom_user_model() -> None:
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert get_user_model() is User


@pytest.mark.django_db
def test_a_new_user_matches_moods_and_keeps_thumbnails_by_default() -> None:
    user = User.objects.create_user(username="ana", password="pw-for-ana-123")

    user.refresh_from_db()
    assert user.default_strategy == User.Strategy.MATCH == "match"
    assert user.image_retention == User.ImageRetention.THUMBNAIL == "thumbnail"
    assert user.is_demo is False
    assert str(user) == "ana"


def test_the_choices_are_exactly_the_documented_ones() -> None:
    assert set(User.Strategy.values) == {"match", "lift"}
    assert set(User.ImageRetention.values) == {"thumbnail", "nothing"}


def test_the_user_model_is_created_by_the_first_accounts_migration() -> None:
    from importlib import import_module

    migration = import_module("accounts.migrations.0001_initial").Migration
    created = [op.name for op in migration.operations if op.__class__.__name__ == "CreateModel"]
    fields = dict(next(op.fields for op in migration.operations if op.name == "User"))

    assert migration.initial is True
    assert created == ["User"]
    assert {"default_strategy", "image_retention", "is_demo"} <= set(fields)
