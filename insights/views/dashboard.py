"""The mood dashboard page (and its HTMX partial when the range changes)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from insights.dashboard import (
    DEFAULT_RANGE,
    EMOTION_COLORS,
    EMOTION_LABELS,
    EMOTION_ORDER,
    RANGES,
    WEEKDAYS,
    DashboardSummary,
    dashboard_summary,
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
    }


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
    }


@login_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    range_key = request.GET.get("range", DEFAULT_RANGE)
    if range_key not in RANGES:
        range_key = DEFAULT_RANGE
    summary = dashboard_summary(user=request.user, period=period_for_range(range_key=range_key))
    template = "dashboard/_body.html" if request.htmx else "dashboard/dashboard.html"
    return render(request, template, dashboard_context(summary, range_key))
