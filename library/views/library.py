"""HTML views of the library: the library page, its sync status card and the sync button."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from library.models import LibrarySync
from library.selectors import (
    library_counts,
    library_entry_list,
    library_genre_families,
    library_mood_coverage,
    library_sync_get,
    library_sync_is_active,
)
from library.sync import library_sync_request
from library.tags import tags_fetch_get, tags_fetch_is_active
from spotify.tokens import spotify_association

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

PAGE_SIZE = 50


def _status_context(request: AuthenticatedHttpRequest) -> dict[str, object]:
    sync = library_sync_get(user=request.user)
    return {
        "sync": sync,
        "active": library_sync_is_active(sync),
        "reauth": sync is not None and sync.status == LibrarySync.Status.REAUTH,
        "connected": spotify_association(request.user) is not None,
        "counts": library_counts(user=request.user),
    }


def _tag_context(request: AuthenticatedHttpRequest) -> dict[str, object]:
    tag_fetch = tags_fetch_get(user=request.user)
    return {"tag_fetch": tag_fetch, "tags_active": tags_fetch_is_active(tag_fetch)}


@login_required
@require_safe
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sync status (polled while a sync runs), library size, and the tracks, 50 a page."""
    context = _status_context(request)
    page = Paginator(library_entry_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    coverage = library_mood_coverage(user=request.user)
    families = library_genre_families(user=request.user)
    return render(
        request,
        "library/library.html",
        {
            **context,
            **_tag_context(request),
            "page": page,
            "coverage": coverage,
            "families": families,
        },
    )


def _polled_card(
    request: AuthenticatedHttpRequest, template: str, context: dict[str, object], *, active: bool
) -> HttpResponse:
    """A status card alone (HTMX polling); reloads the page when the work it watched has ended."""
    response = render(request, template, context)
    if request.GET.get("watching") and not active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_safe
def library_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The sync card alone; the page reloads when a watched sync ends."""
    context = _status_context(request)
    return _polled_card(
        request, "library/_library_status.html", context, active=bool(context["active"])
    )


@login_required
@require_safe
def library_tag_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Last.fm tag card alone (HTMX polling while a look-up is queued, running or paused);
    reloads the page when a watched look-up ends, so the coverage shows the new moods."""
    context = _tag_context(request)
    return _polled_card(
        request, "library/_tag_status.html", context, active=bool(context["tags_active"])
    )


@login_required
@require_POST
def library_sync_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if spotify_association(request.user) is None:
        messages.info(request, "Connect your Spotify account first, then sync your library.")
        return redirect("library:profile")
    library_sync_request(user=request.user, reason="sync button")
    if request.htmx:
        return render(request, "library/_library_status.html", _status_context(request))
    messages.success(request, "Your library sync has started.")
    return redirect("library:library")
