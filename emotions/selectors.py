"""Reads on mood readings: a user's own, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from emotions.models import MoodReading


def reading_list(*, user: User) -> QuerySet[MoodReading]:
    """The user's readings, newest first (nobody else's, ever)."""
    return MoodReading.objects.filter(user=user).order_by("-created_at", "-id")


def reading_get(*, user: User, reading_id: int) -> MoodReading | None:
    """One of the user's readings, or None when it does not exist or is someone else's."""
    return reading_list(user=user).filter(pk=reading_id).first()
