"""HTML views of feedback: the star rating posted with HTMX (or a plain form) from a song list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.validation import IdFormField
from feedback.ports import rated_item
from feedback.services import rating_upsert

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest


class RatingForm(forms.Form):
    item = IdFormField()
    stars = forms.TypedChoiceField(
        choices=[(n, n) for n in range(1, 6)],
        coerce=int,
        error_messages={
            "required": "Choose from 1 to 5 stars.",
            "invalid_choice": "Choose from 1 to 5 stars.",
        },
    )


def rating_cue(stars: int) -> str:
    """The immediate acknowledgement a rating gets."""
    if stars >= 4:
        return "Thanks — we'll play more like this."
    if stars <= 2:
        return "Thanks — we'll play less like this."
    return "Thanks — noted."


@login_required
@require_POST
def rating_submit(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Save a rating; HTMX gets the cue for the widget's live region, a plain form a redirect."""
    form = RatingForm(request.POST)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        if request.htmx:
            # 200, so HTMX swaps the message into the widget's live region.
            return render(request, "feedback/_cue.html", {"message": message, "error": True})
        return render(request, "feedback/rating_error.html", {"message": message}, status=400)
    item = rated_item(pk=form.cleaned_data["item"], user_id=request.user.pk)
    if item is None:
        raise Http404("That song was not recommended to you.")
    try:
        rating = rating_upsert(user=request.user, item=item, stars=form.cleaned_data["stars"])
    except ApplicationError as error:
        if request.htmx:
            return render(request, "feedback/_cue.html", {"message": error.message, "error": True})
        return render(request, "feedback/rating_error.html", {"message": error.message}, status=400)
    cue = rating_cue(rating.stars)
    if request.htmx:
        return render(request, "feedback/_cue.html", {"message": cue})
    messages.success(request, f"You rated “{item.track_name}” ★{rating.stars}. {cue}")
    return redirect("recommendations:detail", pk=item.recommendation_id)
