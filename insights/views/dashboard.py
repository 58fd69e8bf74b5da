"""The mood dashboard page (and its HTMX partial when the range changes)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from emotions.presentation import ADJECTIVES
from feedback.valence import CHANGES
from insights.dashboard import (
    CHANGE_COLORS,
    CHANGE_LABELS,
    DEFAULT_RANGE,
    EMOTION_COLORS,
    EMOTION_LABELS,
    EMOTION_ORDER,
    MOOD_AFTER_MIN_ANSWERS,
    RANGES,
    WEEKDAYS,
    DashboardSummary,
    dashboard_summary,
    mood_after_pending,
    period_for_range,
)

if TYPE_CHECKING:
    from accounts.http import AuthenticatedHttpRequest

RANGE_LABELS = {"7": "Last 7 days", "30": "Last 30 days", "all": "All time"}
# Past this many days with readings, the timeline's table counts per month instead.
DAILY_TABLE_MAX_ROWS = 62


def _heatmap_cells(summary: DashboardSummary) -> list[dict[str, Any]]:
    """Rows of the weekday-by-hour grid for the SVG and its table.

    Numbers are rendered to strings here: 168 cells times four numbers through the template
    engine's localisation was a good part of the page's render time.
    """
    peak = summary.heatmap_max or 1
    return [
        {
            "label": WEEKDAYS[day],
            "y": str(day * 22),
            "label_y": str(day * 22 + 15),
            "cells": [
                {
                    "hour": str(hour),
                    "x": str(40 + hour * 22),
                    "count": str(count),
                    "empty": not count,
                    "opacity": f"{count / peak:.2f}",
                }
                for hour, count in enumerate(row)
            ],
        }
        for day, row in enumerate(summary.heatmap)
    ]


def _table_rows(summary: DashboardSummary) -> list[dict[str, Any]]:
    """The timeline's table: one row per day, or per month when that would be too many rows."""
    by_month = len(summary.daily) > DAILY_TABLE_MAX_ROWS
    rows: dict[dt.date, dict[str, Any]] = {}
    for day, counts in summary.daily:
        key = day.replace(day=1) if by_month else day
        row = rows.setdefault(
            key,
            {
                "label": f"{key:%B %Y}" if by_month else f"{key:%a} {key.day} {key:%b %Y}",
                "datetime": key.strftime("%Y-%m") if by_month else key.isoformat(),
                "counts": [0] * len(EMOTION_ORDER),
                "total": 0,
            },
        )
        for position, emotion in enumerate(EMOTION_ORDER):
            row["counts"][position] += counts[emotion]
        row["total"] += sum(counts.values())
    for row in rows.values():
        row["cells"] = [str(count) for count in (*row["counts"], row["total"])]
    return list(rows.values())


def _chart_data(summary: DashboardSummary) -> dict[str, Any]:
    """The compact payload the charts script reads from a json_script tag."""
    index = {emotion: position for position, emotion in enumerate(EMOTION_ORDER)}
    return {
        "emotions": [
            {"key": emotion, "label": EMOTION_LABELS[emotion], "color": EMOTION_COLORS[emotion]}
            for emotion in EMOTION_ORDER
        ],
        "timeline": [
            [int(created_at.timestamp() * 1000), index[emotion], confidence]
            for _, created_at, emotion, confidence in summary.timeline
        ],
        "distribution": [summary.distribution[emotion] for emotion in EMOTION_ORDER],
        "mood_after": {
            "strategies": [outcome.label for outcome in summary.mood_after],
            "changes": [
                {
                    "label": CHANGE_LABELS[change],
                    "color": CHANGE_COLORS[change],
                    "shares": [outcome.share(change) for outcome in summary.mood_after],
                    "counts": [getattr(outcome, change) for outcome in summary.mood_after],
                }
                for change in CHANGES
            ],
        }
        if summary.mood_after_total
        else None,
    }


def _mood_after_rows(summary: DashboardSummary) -> list[dict[str, Any]]:
    """One row per strategy for the match/lift panel's table and its sentences."""
    rows = []
    for outcome in summary.mood_after:
        cells = [
            {"count": getattr(outcome, change), "share": outcome.share(change)}
            for change in CHANGES
        ]
        rows.append(
            {
                "outcome": outcome,
                "cells": cells,
                "missing": max(0, MOOD_AFTER_MIN_ANSWERS - outcome.total),
            }
        )
    return rows


def dashboard_context(summary: DashboardSummary, range_key: str) -> dict[str, Any]:
    """Everything the dashboard templates draw, prepared so the templates need no logic."""
    return {
        "summary": summary,
        "range_key": range_key,
        "range_label": RANGE_LABELS[range_key],
        "ranges": RANGE_LABELS,
        "capture_url": reverse("emotions:capture"),
        "distribution": summary.distribution_rows(),
        "daily_columns": [EMOTION_LABELS[emotion] for emotion in EMOTION_ORDER],
        "table_unit": "month" if len(summary.daily) > DAILY_TABLE_MAX_ROWS else "day",
        "daily_rows": _table_rows(summary),
        "heatmap_rows": _heatmap_cells(summary),
        "heatmap_ticks": [{"hour": hour, "x": 40 + hour * 22} for hour in range(0, 24, 3)],
        "hours": range(24),
        "streak_emotion_label": EMOTION_LABELS.get(summary.streaks.emotion, ""),
        "helpful_songs": [
            {"label": EMOTION_LABELS[emotion], "color": EMOTION_COLORS[emotion], "songs": songs}
            for emotion, songs in summary.songs_that_helped.items()
        ],
        "chart_data": _chart_data(summary),
        "mood_after_rows": _mood_after_rows(summary),
        "mood_after_columns": [CHANGE_LABELS[change] for change in CHANGES],
        "mood_after_min": MOOD_AFTER_MIN_ANSWERS,
    }


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    summary = dashboard_summary(user=request.user, period=period_for_range(range_key=range_key))
    template = "dashboard/_body.html" if request.htmx else "dashboard/dashboard.html"
    context = dashboard_context(summary, range_key)
    pending = mood_after_pending(user=request.user)
    if pending is not None:
        context["mood_after_pending"] = {
            "url": reverse("recommendations:detail", args=[pending.pk]) + "#mood-after",
            "created_at": pending.created_at,
            "feeling": ADJECTIVES.get(pending.emotion, pending.emotion),
        }
    return render(request, template, context)
