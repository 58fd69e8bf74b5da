"""Bounds for ids and dates that come from a request, so they fail as a 400 and never in the ORM.

A 20-digit id overflows SQLite's 64-bit INTEGER (OverflowError in the driver) and `9999-12-31`
overflows Python's date when a day is added to make a half-open range. Every API that reads an id
or a date from the query string or the body uses these fields; path ids (`<int:pk>`) need nothing:
Django answers an out-of-range primary key lookup with "no such row", so they are 404s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from rest_framework import serializers

MAX_ID = 2**63 - 1  # the largest BIGINT (PostgreSQL) and INTEGER (SQLite)
ID_RANGE_MESSAGE = f"Ids are whole numbers between 1 and {MAX_ID}."

# Inside Python's date range with a day (and any time-zone offset) to spare on either side.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(9999, 12, 30)
DATE_RANGE_MESSAGE = f"Dates must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}."


def id_in_range(value: int) -> bool:
    """Whether `value` can be a primary key (and so reach a query without overflowing)."""
    return 1 <= value <= MAX_ID


class IdField(serializers.IntegerField):
    """A DRF field for an object id: 1 to MAX_ID, with one sentence when outside."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        messages = {"min_value": ID_RANGE_MESSAGE, "max_value": ID_RANGE_MESSAGE}
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class IdFormField(forms.IntegerField):
    """The same bounds for a Django form (an HTML form's hidden id)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        messages = {"min_value": ID_RANGE_MESSAGE, "max_value": ID_RANGE_MESSAGE}
        kwargs["error_messages"] = {**messages, **kwargs.get("error_messages", {})}
        super().__init__(**kwargs)


class BoundedDateField(serializers.DateField):
    """A DRF date between MIN_DATE and MAX_DATE, with one sentence when outside."""

    def __init__(self, **kwargs: Any) -> None:
        validators = list(kwargs.pop("validators", []))
        validators += [
            MinValueValidator(MIN_DATE, message=DATE_RANGE_MESSAGE),
            MaxValueValidator(MAX_DATE, message=DATE_RANGE_MESSAGE),
        ]
        super().__init__(validators=validators, **kwargs)
