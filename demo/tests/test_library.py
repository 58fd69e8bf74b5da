"""seed_demo's Spotify part: the local demo user is linked to the stand-in's demo listener."""

from __future__ import annotations

from io import StringIO

import pytest
from social_django.models import UserSocialAuth

from demo import library as demo
from library.models import LibrarySync
from library.tasks import library_sync
from spotify_sandbox import services
from spotify_sandbox.models import Token


@pytest.mark.django_db
def test_seed_links_the_demo_user_with_real_stand_in_tokens_and_queues_a_sync(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued: list[int] = []
    monkeypatch.setattr(library_sync, "delay", lambda user_id: queued.append(user_id))
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(stdout=out)
    demo.seed(stdout=out)

    social = UserSocialAuth.objects.get(provider="spotify")
    assert social.user.username == "demo"
    assert social.uid == "demo"
    # The stored tokens are the stand-in's own, so refreshing them works against it.
    assert services.access_token_lookup(social.extra_data["access_token"]).spotify_user == "demo"
    assert Token.objects.filter(kind="refresh", spotify_user="demo").count() == 1
    assert queued == [social.user.pk]
    assert LibrarySync.objects.get(user=social.user).status == LibrarySync.Status.QUEUED
    assert "demo linked to stand-in listener demo" in out.getvalue()
    assert "demo already linked to demo" in out.getvalue()


@pytest.mark.django_db
def test_seed_does_nothing_with_real_spotify(settings) -> None:
    settings.SPOTIFY_API_BASE_URL = "https://api.spotify.com/v1/"
    out = StringIO()

    demo.seed(stdout=out)

    assert "real Spotify configured" in out.getvalue()
    assert not UserSocialAuth.objects.exists()
