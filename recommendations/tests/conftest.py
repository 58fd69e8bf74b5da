"""Fixtures shared by the recommendations tests."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from spotify_sandbox.testing import Sandbox


@pytest.fixture
def listener(sandbox: Sandbox):
    """Makes a user connected to a stand-in listener (``listener("alex")``)."""

    def make(spotify_user: str = "demo", **kwargs):
        user = UserFactory()
        sandbox.link(user, spotify_user, **kwargs)
        return user

    return make
