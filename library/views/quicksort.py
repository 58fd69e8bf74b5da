"""The quick sort page: one song at a time, four mood buttons and "skip" (see library.quicksort).

Every answer is a plain POST (CSRF-protected) answered with a redirect back to the page, so it
works without JavaScript; with HTMX the form swaps in the next song from that same page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from library.models import LibraryEntry, Mood
from library.quicksort import (
    ROUND_SIZE,
    SKIP_KEYS,
    SORT_CHOICES,
    quick_sort_candidates,
    quick_sort_record,
    quick_sort_round,
    quick_sort_track_get,
)

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

LAST_KEY = "library_quick_sort_last"


def _page(request: AuthenticatedHttpRequest) -> HttpResponse:
    current, entry = quick_sort_round(user=request.user, session=request.session)
    last = request.session.pop(LAST_KEY, None)
    context = {
        "round": current,
        "entry": entry,
        "track": entry.track if entry else None,
        "choices": [
            {"mood": mood, "label": label, "keys": keys, "shortcuts": " ".join(keys)}
            for mood, label, keys in SORT_CHOICES
        ],
        "skip_keys": SKIP_KEYS,
        "skip_shortcuts": " ".join(SKIP_KEYS),
        "last": last if isinstance(last, dict) else None,
        "has_library": LibraryEntry.objects.filter(user=request.user).exists(),
        "more_left": entry is None
        and quick_sort_candidates(user=request.user, exclude=current.skipped).exists(),
        "round_size": ROUND_SIZE,
    }
    return render(request, "library/quick_sort.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quick_sort(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET: the round's next song. POST: an answer (`mood`), a skip, or `restart` (new round)."""
    if request.method in ("GET", "HEAD"):
        return _page(request)
    if "restart" in request.POST:
        quick_sort_round(user=request.user, session=request.session, restart=True)
        return redirect("library:quick-sort")
    skip = "skip" in request.POST
    mood = None if skip else request.POST.get("mood", "")
    if mood is not None and mood not in Mood.values:
        return HttpResponseBadRequest("Choose one of the four moods, or skip.")
    track = quick_sort_track_get(user=request.user, track_id=request.POST.get("track"))
    if track is None:
        raise Http404("That song is not in your library.")
    quick_sort_record(user=request.user, session=request.session, track_id=track.pk, mood=mood)
    request.session[LAST_KEY] = {
        "title": track.name,
        "mood": Mood(mood).label.lower() if mood else "",
    }
    return redirect("library:quick-sort")
