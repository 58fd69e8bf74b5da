"""HTML pages of the emotions app: capture, the result with its polling partial, the thumbnail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from core.exceptions import ApplicationError
from core.throttling import throttled_message, too_many_requests
from emotions.forms import CorrectionForm, ManualMoodForm, MoodSourceForm, PhotoUploadForm
from emotions.models import MoodReading
from emotions.presentation import (
    ADJECTIVES,
    EMOJI,
    LABELS,
    chart_data,
    chart_summary,
    emotion_options,
    face_geometry,
    group_summary,
    probability_rows,
)
from emotions.selectors import reading_get
from emotions.services import (
    reading_correct,
    reading_create,
    reading_delete,
    reading_mood_source_set,
)
from emotions.throttles import upload_refund, upload_wait_seconds
from emotions.validation import ALLOWED_FORMATS_TEXT, human_size

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

# Poll every second at first; a reading still waiting after this long polls more gently.
SLOW_AFTER_SECONDS = 30


def _own_reading(request: AuthenticatedHttpRequest, pk: int) -> MoodReading:
    reading = reading_get(user=request.user, reading_id=pk)
    if reading is None:
        raise Http404("No such reading.")
    return reading


def _songs_url(reading: MoodReading, strategy: str, *, focus: bool = False) -> str | None:
    """The recommendations panel for this reading, once it has a final emotion.

    With `focus`, the panel takes the keyboard focus when it arrives (after a correction).
    """
    if not reading.is_final or not reading.effective_emotion:
        return None
    url = reverse("recommendations:for_reading", args=[reading.pk]) + f"?strategy={strategy}"
    return url + "&focus=1" if focus else url


def _panel_context(
    request: AuthenticatedHttpRequest,
    reading: MoodReading,
    *,
    corrected: bool = False,
    mood_source_error: str = "",
) -> dict[str, Any]:
    age = (timezone.now() - reading.created_at).total_seconds()
    slow = not reading.is_final and age > SLOW_AFTER_SECONDS
    emotion = reading.effective_emotion
    return {
        "reading": reading,
        "poll_seconds": 5 if slow else 1,
        "slow": slow,
        "progress_step": 2 if reading.status == MoodReading.Status.PROCESSING else 1,
        "emotion_label": LABELS.get(emotion, ""),
        "emotion_adjective": ADJECTIVES.get(emotion, ""),
        "emotion_emoji": EMOJI.get(emotion, ""),
        "detected_adjective": ADJECTIVES.get(reading.emotion, ""),
        "confidence_percent": round(100 * reading.confidence) if reading.confidence else None,
        "probability_rows": probability_rows(reading),
        "chart": chart_data(reading),
        "chart_summary": chart_summary(reading),
        "geometry": face_geometry(reading),
        "group": group_summary(reading),
        # The room's mood is chosen on its own card, not as a correction.
        "options": emotion_options(
            "" if reading.mood_source == MoodReading.MoodSource.GROUP else reading.user_emotion
        ),
        "songs_url": _songs_url(reading, request.user.default_strategy, focus=corrected),
        "announce": request.htmx and reading.is_final,
        # After a correction (or its undo) the focus moves on to the updated songs, not the body.
        "corrected": corrected,
        "mood_source_error": mood_source_error,
    }


def _capture_context(request: AuthenticatedHttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "options": emotion_options(),
        "formats_text": ALLOWED_FORMATS_TEXT,
        "max_upload_bytes": settings.READING_MAX_UPLOAD_BYTES,
        "max_upload_text": human_size(settings.READING_MAX_UPLOAD_BYTES),
        "keeps_thumbnail": request.user.image_retention != User.ImageRetention.NOTHING,
        **extra,
    }


def _create_from_post(request: AuthenticatedHttpRequest) -> MoodReading:
    """One reading from the capture page's forms: a picked mood or a photo."""
    if "emotion" in request.POST:
        manual = ManualMoodForm(request.POST)
        if not manual.is_valid():
            raise ApplicationError("Pick one of the moods.")
        return reading_create(
            user=request.user,
            source=MoodReading.Source.MANUAL,
            emotion=manual.cleaned_data["emotion"],
        )
    wait = upload_wait_seconds(request)
    if wait is not None:
        raise UploadsThrottled(wait)
    upload = PhotoUploadForm(request.POST, request.FILES)
    upload.is_valid()
    try:
        return reading_create(
            user=request.user,
            image_file=upload.cleaned_data.get("image"),
            source=upload.cleaned_data.get("source") or MoodReading.Source.UPLOAD,
        )
    except ApplicationError as exc:
        if 400 <= exc.status_code < 500:
            upload_refund(request)  # a rejected photo does not use up the budget
        raise


class UploadsThrottled(Exception):
    """The listener's upload budget is spent for now; `wait` seconds until the next one."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def capture(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Webcam snapshot, file upload (works without JavaScript) or a picked mood."""
    if request.method == "POST":
        try:
            reading = _create_from_post(request)
        except UploadsThrottled as exc:
            return too_many_requests(
                request,
                wait=exc.wait,
                title="Too many uploads",
                message="You've uploaded a lot of photos in a short time.",
                retry_text=throttled_message(exc.wait, "You can upload again in {wait}."),
                back_url=reverse("emotions:capture"),
                back_label="Pick your mood by hand instead",
            )
        except ApplicationError as exc:
            context = _capture_context(request, error=exc.message)
            return render(request, "emotions/capture.html", context, status=exc.status_code)
        return redirect("emotions:reading", pk=reading.pk)
    return render(request, "emotions/capture.html", _capture_context(request))


@login_required
@require_safe
def reading_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The result page; it polls its own status partial until the reading is final."""
    reading = _own_reading(request, pk)
    return render(request, "emotions/reading.html", _panel_context(request, reading))


@login_required
@never_cache
@require_safe
def reading_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The result panel alone (HTMX polls it); without HTMX, the whole page."""
    reading = _own_reading(request, pk)
    if not request.htmx:
        return redirect("emotions:reading", pk=reading.pk)
    return render(request, "emotions/partials/reading_panel.html", _panel_context(request, reading))


@login_required
@require_safe
def reading_thumbnail(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The primary face's thumbnail, to its owner only (404 for anyone else)."""
    reading = _own_reading(request, pk)
    if not reading.thumbnail:
        raise Http404("This reading keeps no thumbnail.")
    try:
        handle = reading.thumbnail.open("rb")
    except FileNotFoundError:
        raise Http404("The thumbnail is gone.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def reading_correct_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Not right? It's …": store the user's word; HTMX gets the updated panel back."""
    reading = _own_reading(request, pk)
    form = CorrectionForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Pick one of the moods.")
        reading = reading_correct(reading=reading, emotion=form.cleaned_data["emotion"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if request.htmx:
        context = _panel_context(request, reading, corrected=True)
        return render(request, "emotions/partials/reading_panel.html", context)
    return redirect("emotions:reading", pk=reading.pk)


@login_required
@require_POST
def reading_mood_source_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Play for the room" (or back to the largest face); HTMX gets the updated panel back."""
    reading = _own_reading(request, pk)
    form = MoodSourceForm(request.POST)
    try:
        if not form.is_valid():
            raise ApplicationError("Choose songs for the room or for the largest face.")
        reading = reading_mood_source_set(
            reading=reading, mood_source=form.cleaned_data["mood_source"]
        )
    except ApplicationError as exc:
        reading.refresh_from_db()
        context = _panel_context(request, reading, mood_source_error=exc.message)
        if request.htmx:  # HTMX swaps only 2xx answers: the panel carries the alert
            return render(request, "emotions/partials/reading_panel.html", context)
        return render(request, "emotions/reading.html", context, status=exc.status_code)
    if request.htmx:
        context = _panel_context(request, reading, corrected=True)
        return render(request, "emotions/partials/reading_panel.html", context)
    return redirect("emotions:reading", pk=reading.pk)


@login_required
@require_POST
def reading_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Delete the reading and its files, then go back to the capture page."""
    reading_delete(reading=_own_reading(request, pk))
    messages.success(request, "The reading and its images were deleted.")
    return redirect("emotions:capture")
