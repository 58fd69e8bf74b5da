"""Fixtures for the insights tests: frames and thumbnails in a private folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_media_for_every_test(private_media: Path) -> Path:
    """Every insights test writes frames and thumbnails to its own folder (root conftest)."""
    return private_media
