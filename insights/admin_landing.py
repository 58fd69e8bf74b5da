"""The admin landing's counts of the last seven days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils import timezone

from accounts.models import User
from emotions.models import MoodReading
from feedback.models import Rating
from library.models import LibrarySync, MoodPlaylist
from recommendations.models import Recommendation

LANDING_DAYS = 7


@dataclass(frozen=True)
class LandingCount:
    label: str
    value: int | str
    detail: str = ""


def admin_landing_counts(*, now: dt.datetime | None = None) -> list[LandingCount]:
    """What happened in the last LANDING_DAYS days, in one query per kind of thing."""
    since = (now or timezone.now()) - dt.timedelta(days=LANDING_DAYS)
    Status = MoodReading.Status
    readings = MoodReading.objects.filter(created_at__gte=since).aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Status.DONE)),
        no_face=Count("id", filter=Q(status=Status.NO_FACE)),
        failed=Count("id", filter=Q(status=Status.FAILED)),
        readers=Count("user", distinct=True),
    )
    ratings = Rating.objects.filter(updated_at__gte=since).aggregate(
        total=Count("id"), average=Avg("stars")
    )
    syncs = LibrarySync.objects.filter(finished_at__gte=since).aggregate(
        done=Count("id", filter=Q(status=LibrarySync.Status.DONE)),
        failed=Count("id", filter=~Q(status=LibrarySync.Status.DONE)),
    )
    imports = MoodPlaylist.objects.filter(updated_at__gte=since).aggregate(
        done=Count("id", filter=Q(import_status=MoodPlaylist.ImportStatus.DONE)),
        failed=Count("id", filter=Q(import_status=MoodPlaylist.ImportStatus.FAILED)),
    )
    average = f"average ★{ratings['average']:.1f}" if ratings["average"] else ""
    return [
        LandingCount(
            "Mood readings",
            readings["total"],
            f"{readings['done']} read, {readings['no_face']} without a face, "
            f"{readings['failed']} failed; {readings['readers']} listener(s)",
        ),
        LandingCount("New users", User.objects.filter(date_joined__gte=since).count()),
        LandingCount(
            "Recommendations", Recommendation.objects.filter(created_at__gte=since).count()
        ),
        LandingCount("Ratings", ratings["total"], average),
        LandingCount("Library syncs", syncs["done"], f"{syncs['failed']} not finished well"),
        LandingCount("Playlist imports", imports["done"], f"{imports['failed']} failed"),
    ]
