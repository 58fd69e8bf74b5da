"""History pages: the paginated list of readings, deleting one or all, and the data export."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from core.exceptions import ApplicationError
from emotions.models import MoodReading
from insights.history import (
    export_filename,
    history_counts,
    history_delete_all,
    history_page,
    history_reading_delete,
    user_data_export,
)

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest


def _reading_url(name: str, pk: int) -> str | None:
    """A URL of the emotions pages for one reading, or None while that page does not exist."""
    return reverse(f"emotions:{name}", args=[pk])


@login_required
@require_safe
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = history_page(user=request.user, page_number=request.GET.get("page"))
    rows = []
    for reading in page.object_list:
        items = [item for rec in reading.recommendations.all() for item in rec.items.all()]
        ratings = [rating for item in items for rating in item.user_ratings]
        rows.append(
            {
                "reading": reading,
                "url": _reading_url("reading", reading.pk),
                "thumbnail_url": _reading_url("thumbnail", reading.pk)
                if reading.thumbnail
                else None,
                "tracks": [item.track for item in items],
                "ratings": ratings,
            }
        )
    return render(request, "emotions/history.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def history_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reading = get_object_or_404(MoodReading, pk=pk, user=request.user)
    if request.method == "POST":
        try:
            history_reading_delete(user=request.user, reading_id=reading.pk)
        except ApplicationError as exc:
            raise Http404(exc.message) from exc
        messages.success(request, "The reading was deleted, with its thumbnail and songs.")
        return redirect("insights:history")
    return render(request, "emotions/history_confirm_delete.html", {"reading": reading})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def history_delete_everything(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        deleted = history_delete_all(user=request.user)
        messages.success(
            request,
            f"Your history is deleted: {deleted.readings} reading(s), "
            f"{deleted.recommendations} recommendation(s), {deleted.ratings} rating(s) and "
            f"{deleted.moods_after} answer(s) to “How do you feel now?”.",
        )
        return redirect("insights:history")
    return render(
        request,
        "emotions/history_confirm_delete_all.html",
        {"counts": history_counts(user=request.user)},
    )


@login_required
@require_safe
def history_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(user=request.user)}"'
    return response
