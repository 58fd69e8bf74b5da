"""Tests for `manage.py seed_demo`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import User


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
@override_settings(DJANGO_ADMIN_PASSWORD="s3cret-admin-pw")
def test_it_creates_admin_and_demo_once() -> None:
    first = _seed()
    second = _seed()

    assert "user admin: created" in first
    assert "user demo: created" in first
    assert "user admin: already present" in second
    assert User.objects.filter(username__in=["admin", "demo"]).count() == 2

    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("s3cret-admin-pw")

    demo = User.objects.get(username="demo")
    assert demo.is_demo
    assert not demo.is_staff
    assert not demo.has_usable_password()


@pytest.mark.django_db
@override_settings(DJANGO_ADMIN_PASSWORD="first-password")
def test_it_keeps_a_changed_admin_password() -> None:
    _seed()
    admin = User.objects.get(username="admin")
    admin.set_password("changed-by-operator")
    admin.save()

    _seed()

    admin.refresh_from_db()
    assert admin.check_password("changed-by-operator")


@pytest.mark.django_db
@override_settings(DJANGO_ADMIN_PASSWORD="", DEBUG=True)
def test_the_default_admin_password_exists_only_in_debug() -> None:
    _seed()
    assert User.objects.get(username="admin").check_password("admin")


@pytest.mark.django_db
@override_settings(DJANGO_ADMIN_PASSWORD="", DEBUG=False)
def test_without_debug_it_demands_a_password() -> None:
    with pytest.raises(CommandError, match="DJANGO_ADMIN_PASSWORD"):
        _seed()
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_the_demo_rates_songs_and_answers_how_it_felt_after() -> None:
    from accounts.services import user_ensure_demo
    from demo.readings import RATED_READINGS, _create_readings, _rate_some_songs
    from feedback.models import MoodAfter, Rating
    from library.evidence import track_moods_sync_curated
    from library.tests.factories import curated_library

    user, _ = user_ensure_demo()
    curated_library(user, per_mood=6)
    track_moods_sync_curated()
    _create_readings(user, timezone.now())

    message = _rate_some_songs(user)

    answers = MoodAfter.objects.filter(user=user)
    assert answers.count() == RATED_READINGS
    assert {a.recommendation.strategy for a in answers} == {"match", "lift"}
    assert Rating.objects.filter(user=user).count() == 3 * RATED_READINGS
    assert f"{RATED_READINGS} 'how do you feel now?' answers" in message
    assert "already present" in _rate_some_songs(user)  # idempotent
