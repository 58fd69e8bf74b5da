"""Quick sort: the listener says the mood of the songs we know least about, one at a time.

Each answer is the strongest evidence there is, and personal: a SORTED `TrackMood` row with the
listener as `user`, score 1.0 and weight 1.0 for the chosen mood, replacing their earlier sort of
that track. A round of sorting shows at most `ROUND_SIZE` songs; its progress and the songs the
listener skipped live in their session (plain JSON, see `QuickSortRound`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import F, FloatField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.validation import id_in_range
from library.evidence import evidence_replace
from library.models import LibraryEntry, Mood, Track, TrackMood

ROUND_SIZE = 20
# A song whose strongest evidence (global, or the listener's own) weighs this much is known
# well enough not to ask about it: a curated playlist, a quick sort, a confident tag reading.
KNOWN_WEIGHT = 0.75
# The order of the buttons, each with its shortcut keys (digit first, then the initial).
SORT_CHOICES: tuple[tuple[str, str, tuple[str, str]], ...] = (
    (Mood.HAPPY, "Happy", ("1", "H")),
    (Mood.ENERGETIC, "Energetic", ("2", "E")),
    (Mood.CALM, "Calm", ("3", "C")),
    (Mood.SAD, "Sad", ("4", "S")),
)
SKIP_KEYS = ("0", "K")  # "S" already means Sad; K as in sKip
SESSION_KEY = "library_quick_sort"
ROUND_IDLE = dt.timedelta(minutes=30)  # a round left alone this long starts afresh
MAX_SKIPPED = 200


class QuickSortError(ValueError):
    """The answer cannot be taken: not a mood, or not a song of this listener's library."""


def _in_library() -> Q:
    sources = Q()
    for name in LibraryEntry.SOURCE_FIELDS:
        sources |= Q(**{name: True})
    return sources


def quick_sort_candidates(*, user: Any, exclude: Iterable[int] = ()) -> QuerySet[LibraryEntry]:
    """The listener's songs whose mood is not known well, least known first.

    "Known" is the strongest evidence weight visible to this listener: everyone's rows plus their
    own. Songs without any come first; then the weakest; among equals, the songs they like and
    play most recently come first (those are the ones their lists will hold).
    """
    strength = (
        TrackMood.objects.filter(track_id=OuterRef("track_id"))
        .filter(Q(user__isnull=True) | Q(user=user))
        .values("track_id")
        .annotate(strongest=Max("weight"))
        .values("strongest")
    )
    return (
        LibraryEntry.objects.filter(_in_library(), user=user)
        .exclude(track_id__in=list(exclude))
        .annotate(known=Coalesce(Subquery(strength, output_field=FloatField()), Value(0.0)))
        .filter(known__lt=KNOWN_WEIGHT)
        .select_related("track")
        .order_by(
            "known",
            F("liked_at").desc(nulls_last=True),
            F("last_played_at").desc(nulls_last=True),
            "track__name",
            "pk",
        )
    )


def quick_sort_track_get(*, user: Any, track_id: object) -> Track | None:
    """The track with this id when it is in the listener's library, else None."""
    try:
        pk = int(str(track_id))
    except (TypeError, ValueError):
        return None
    if not id_in_range(pk):  # a 20-digit id would overflow the database driver
        return None
    entry = (
        LibraryEntry.objects.filter(_in_library(), user=user, track_id=pk)
        .select_related("track")
        .first()
    )
    return entry.track if entry else None


def quick_sort_answer(*, user: Any, track_id: object, mood: str) -> TrackMood:
    """Record that the listener hears `track_id` as `mood` (replacing their earlier sort of it)."""
    if mood not in Mood.values:
        raise QuickSortError(f"Not a mood: {mood!r}")
    track = quick_sort_track_get(user=user, track_id=track_id)
    if track is None:
        raise QuickSortError("That song is not in your library.")
    label = Mood(mood).label.lower()
    evidence_replace(
        source=TrackMood.Source.SORTED,
        track_ids=[track.pk],
        rows=[(track.pk, mood, 1.0, 1.0, f"you sorted it as {label}")],
        user_id=user.pk,
    )
    return TrackMood.objects.get(source=TrackMood.Source.SORTED, track=track, user=user, mood=mood)


@dataclass
class QuickSortRound:
    """One round of sorting, kept in the session: how many songs it has and has shown."""

    total: int = 0
    done: int = 0
    sorted: int = 0
    skipped: list[int] = field(default_factory=list)
    touched: str = ""

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def skips(self) -> int:
        return max(self.done - self.sorted, 0)

    @property
    def position(self) -> int:
        return min(self.done + 1, self.total)

    @classmethod
    def load(cls, session: MutableMapping[str, Any]) -> QuickSortRound | None:
        raw = session.get(SESSION_KEY)
        if not isinstance(raw, dict):
            return None
        try:
            found = cls(
                total=int(raw.get("total", 0)),
                done=int(raw.get("done", 0)),
                sorted=int(raw.get("sorted", 0)),
                skipped=[int(pk) for pk in raw.get("skipped", [])][-MAX_SKIPPED:],
                touched=str(raw.get("touched", "")),
            )
            touched = dt.datetime.fromisoformat(found.touched)
        except (TypeError, ValueError):
            return None
        if timezone.now() - touched > ROUND_IDLE:
            # A new round another day; the songs skipped then may be asked about again.
            return None
        return found

    def save(self, session: MutableMapping[str, Any]) -> None:
        self.touched = timezone.now().isoformat()
        self.skipped = self.skipped[-MAX_SKIPPED:]
        session[SESSION_KEY] = asdict(self)


def quick_sort_round(
    *, user: Any, session: MutableMapping[str, Any], restart: bool = False
) -> tuple[QuickSortRound, LibraryEntry | None]:
    """The current round (started when there is none) and the song to show next (None: done).

    A new round keeps the songs skipped earlier aside while others are left; when only skipped
    songs are left they come back.
    """
    current = None if restart else QuickSortRound.load(session)
    if current is None:
        previous = QuickSortRound.load(session) if restart else None
        skipped = previous.skipped if previous else []
        left = quick_sort_candidates(user=user, exclude=skipped)
        if skipped and not left.exists():
            skipped = []
            left = quick_sort_candidates(user=user)
        current = QuickSortRound(total=min(ROUND_SIZE, left.count()), skipped=skipped)
        current.save(session)
    if current.finished or current.total == 0:
        return current, None
    entry = quick_sort_candidates(user=user, exclude=current.skipped).first()
    if entry is None:
        # Everything else got known meanwhile (another tab, tags arriving): the round ends here.
        current.total = current.done
        current.save(session)
    return current, entry


def quick_sort_record(
    *, user: Any, session: MutableMapping[str, Any], track_id: object, mood: str | None
) -> tuple[Track, str | None]:
    """Take an answer (`mood`) or a skip (`mood` None) for `track_id` and move the round on.

    Raises QuickSortError (nothing written) for a song outside the listener's library or a word
    that is not a mood.
    """
    if mood is not None and mood not in Mood.values:
        raise QuickSortError(f"Not a mood: {mood!r}")
    track = quick_sort_track_get(user=user, track_id=track_id)
    if track is None:
        raise QuickSortError("That song is not in your library.")
    current, _ = quick_sort_round(user=user, session=session)
    if mood is None:
        if track.pk not in current.skipped:
            current.skipped.append(track.pk)
    else:
        quick_sort_answer(user=user, track_id=track.pk, mood=mood)
        current.sorted += 1
    current.done = min(current.done + 1, current.total) if current.total else current.done
    current.save(session)
    return track, mood
