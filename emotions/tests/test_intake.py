"""Decodes at once per process are bounded: past the bound, a 503 with a sentence."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.exceptions import ApplicationError
from emotions.intake import decode_slot
from emotions.tests import images
from emotions.validation import validate_image_upload


@override_settings(READING_MAX_CONCURRENT_DECODES=1, READING_DECODE_WAIT_SECONDS=0.05)
def test_an_upload_waits_for_a_decode_slot_then_is_told_to_try_again() -> None:
    # Another request is decoding.
    with decode_slot(), pytest.raises(ApplicationError) as busy:
        validate_image_upload(images.upload(images.astronaut_jpeg()))

    assert busy.value.status_code == 503
    assert busy.value.extra["code"] == "busy"
    assert busy.value.message.startswith("We're busy reading other photos right now.")
    # The slot is free again: the same upload goes through.
    assert validate_image_upload(images.upload(images.astronaut_jpeg())).width == 512


@override_settings(READING_MAX_CONCURRENT_DECODES=2, READING_DECODE_WAIT_SECONDS=0.05)
def test_two_decodes_may_run_at_once() -> None:
    with decode_slot(), decode_slot(), pytest.raises(ApplicationError), decode_slot():
        pass
