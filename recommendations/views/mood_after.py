""" "How do you feel now?" after a list of songs: one tap, or a quick new snapshot.

The prompt is part of the songs panel (`prompt_context`); a tap posts here. "Take a snapshot
instead" remembers the list in the session and opens the capture page; the songs panel of the
next reading taken within the hour (`link_pending_snapshot`) stores that reading's emotion as
the answer, so the emotions app needs to know nothing about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from emotions.models import MoodReading
from emotions.presentation import ADJECTIVES, emotion_options
from feedback.models import MoodAfter
from feedback.selectors import mood_after_get
from feedback.services import (
    MOOD_AFTER_PROMPT_DELAY,
    MOOD_AFTER_PROMPT_WINDOW,
    mood_after_follow_reading,
    mood_after_set,
)
from feedback.valence import mood_change
from recommendations.models import Recommendation
from recommendations.selectors import recommendation_get

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

PROMPT_DELAY = MOOD_AFTER_PROMPT_DELAY
PROMPT_WINDOW = MOOD_AFTER_PROMPT_WINDOW
SESSION_KEY = "mood_after_snapshot"
PARTIAL = "recommendations/_mood_after.html"

CHANGE_WORDS = {
    "better": "better than the {before} mood these songs were for",
    "same": "about the same as the {before} mood these songs were for",
    "worse": "less good than the {before} mood these songs were for",
}


@dataclass(frozen=True)
class Prompt:
    """What the songs panel shows of "How do you feel now?" for one list."""

    state: str  # "answered", "now" (show it), "later" (reveal after delay_ms), "" (nothing)
    delay_ms: int = 0


def prompt_for(
    recommendation: Recommendation, answer: MoodAfter | None, now: dt.datetime
) -> Prompt:
    if answer is not None:
        return Prompt("answered")
    age = now - recommendation.created_at
    if age > PROMPT_WINDOW:
        return Prompt("")
    if age >= PROMPT_DELAY:
        return Prompt("now")
    return Prompt("later", delay_ms=int((PROMPT_DELAY - age).total_seconds() * 1000))


def answer_sentence(answer: MoodAfter) -> str:
    change = mood_change(answer.emotion_before, answer.emotion)
    before = ADJECTIVES.get(answer.emotion_before, answer.emotion_before)
    now = ADJECTIVES.get(answer.emotion, answer.emotion)
    return f"You feel {now} now: {CHANGE_WORDS[change].format(before=before)}."


def prompt_context(
    recommendation: Recommendation,
    answer: MoodAfter | None,
    *,
    now: dt.datetime | None = None,
    just_answered: bool = False,
    error: str = "",
) -> dict[str, Any]:
    prompt = prompt_for(recommendation, answer, now or timezone.now())
    return {
        "recommendation": recommendation,
        "mood_prompt": prompt,
        "mood_answer": answer,
        "mood_answer_sentence": answer_sentence(answer) if answer else "",
        "mood_options": emotion_options(answer.emotion if answer else ""),
        "mood_just_answered": just_answered,
        "mood_error": error,
    }


def _own_recommendation(request: AuthenticatedHttpRequest, pk: int) -> Recommendation:
    recommendation = recommendation_get(user=request.user, pk=pk)
    if recommendation is None:
        raise Http404("No such list of songs.")
    return recommendation


@login_required
@require_POST
def mood_after_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Store a one-tap answer; HTMX gets the prompt back with it, a plain form a redirect."""
    recommendation = _own_recommendation(request, pk)
    try:
        answer, _created = mood_after_set(
            user=request.user,
            recommendation=recommendation,
            emotion=request.POST.get("emotion", ""),
        )
    except ApplicationError as error:
        if request.htmx:
            # 200, so HTMX swaps the message into the prompt.
            answer_now = mood_after_get(user=request.user, recommendation_id=recommendation.pk)
            context = prompt_context(recommendation, answer_now, error=error.message)
            return render(request, PARTIAL, context)
        return render(
            request,
            "recommendations/mood_after_error.html",
            {"message": error.message, "recommendation": recommendation},
            status=error.status_code,
        )
    if request.htmx:
        return render(request, PARTIAL, prompt_context(recommendation, answer, just_answered=True))
    messages.success(request, f"Thanks. {answer_sentence(answer)}")
    return redirect(reverse("recommendations:detail", args=[recommendation.pk]) + "#mood-after")


@login_required
@require_POST
def mood_after_snapshot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remember the list, then open the capture page: the next reading answers for it."""
    recommendation = _own_recommendation(request, pk)
    if timezone.now() - recommendation.created_at > PROMPT_WINDOW:
        messages.error(request, "That list is too old to ask how it made you feel.")
        return redirect("recommendations:detail", pk=recommendation.pk)
    request.session[SESSION_KEY] = {"list": recommendation.pk, "since": timezone.now().isoformat()}
    messages.info(
        request,
        "Take a snapshot (or pick how you feel): we'll save it as how you felt after your songs.",
    )
    return redirect("emotions:capture")


def link_pending_snapshot(
    request: AuthenticatedHttpRequest, reading: MoodReading
) -> MoodAfter | None:
    """If the listener asked to answer with a snapshot, and `reading` is it, store the answer.

    Also keeps an earlier snapshot answer in step with a correction of its reading.
    """
    emotion = reading.effective_emotion
    if not emotion or not reading.is_final:
        return None
    pending = request.session.get(SESSION_KEY)
    if isinstance(pending, dict):
        since = parse_datetime(str(pending.get("since", "")))
        list_id = pending.get("list")
        if since is None or not isinstance(list_id, int) or timezone.now() - since > PROMPT_WINDOW:
            del request.session[SESSION_KEY]
        elif reading.created_at >= since:
            del request.session[SESSION_KEY]
            recommendation = recommendation_get(user=request.user, pk=list_id)
            if recommendation is None:
                return None
            try:
                answer, _ = mood_after_set(
                    user=request.user,
                    recommendation=recommendation,
                    emotion=emotion,
                    source=MoodAfter.Source.SNAPSHOT,
                    reading=reading,
                )
            except ApplicationError:
                return None
            return answer
    return mood_after_follow_reading(user=request.user, reading=reading)
