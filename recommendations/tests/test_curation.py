"""Tests for curation: importing a Spotify playlist (over HTTP from the stand-in), moods, rules."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.test import Client

from accounts.curators import curators_group_ensure
from accounts.models import User
from accounts.tests.factories import UserFactory
from core.exceptions import ApplicationError
from library.models import MoodPlaylist, MoodPlaylistTrack, Track, TrackMood
from library.tests.factories import TrackFactory
from recommendations.curation import (
    curator_playlists,
    mood_playlist_import,
    mood_playlist_import_request,
    mood_playlists_set_mood,
    rule_coverage_problems,
)
from recommendations.tasks import mood_playlist_import_task
from spotify_sandbox import catalogue
from spotify_sandbox.testing import Sandbox

FOCUS = catalogue.PLAYLISTS["demo-focus"]  # owned by the stand-in user "demo": 60 calm tracks
PARTY = catalogue.PLAYLISTS["alex-party"]  # alex's; demo only follows it, so its items are 403
BLUE = catalogue.PLAYLISTS["sam-blue"]  # sam's, private: 404 for anyone else
IMPORT = "/admin/library/moodplaylist/import/"


@pytest.fixture
def curator(sandbox: Sandbox, transactional_db: None) -> User:
    """A staff member signed in to the stand-in as "demo", who owns the Focus playlist."""
    user = UserFactory(username="importer", is_staff=True)
    sandbox.link(user, "demo")
    return user


def import_playlist(user: User, playlist_ref: str, mood: str, name: str = "") -> MoodPlaylist:
    """What the admin does: the service marks the playlist queued, then the task (eager) runs."""
    queued = mood_playlist_import_request(
        user=user, playlist_ref=playlist_ref, mood=mood, name=name
    )
    mood_playlist_import_task.delay(queued.playlist.pk, user.pk, discard_on_refusal=queued.created)
    return queued.playlist


def curated_moods(track_ids) -> set[str]:
    return set(
        TrackMood.objects.filter(track_id__in=list(track_ids), source="curated").values_list(
            "mood", flat=True
        )
    )


def test_it_imports_a_playlist_by_url_and_its_tracks_become_curated(curator: User) -> None:
    url = f"https://open.spotify.com/playlist/{FOCUS.id}?si=abc123"

    queued = import_playlist(curator, url, "calm")

    playlist = MoodPlaylist.objects.get(pk=queued.pk)
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.name == "Focus"
    assert playlist.description == "Quiet work music."
    assert playlist.spotify_playlist_id == FOCUS.id
    assert playlist.import_message.startswith("Imported 60 tracks")
    entries = list(playlist.entries.select_related("track").order_by("position"))
    expected = [catalogue.track(index) for index in FOCUS.track_indices]
    assert [entry.track.spotify_id for entry in entries] == [t.id for t in expected]
    first = entries[0].track
    assert first.name == expected[0].name
    assert first.artists.exists()
    assert first.artist_names
    assert curated_moods(e.track_id for e in entries) == {"calm"}
    assert TrackMood.objects.filter(source="curated").count() == 60


def test_reimporting_replaces_the_tracks_and_their_evidence(curator: User) -> None:
    playlist = import_playlist(curator, FOCUS.id, "calm")
    stray = TrackFactory(name="Added by hand")
    MoodPlaylistTrack.objects.create(playlist=playlist, track=stray, position=99)
    mood_playlists_set_mood(playlist_ids=[playlist.pk], mood="calm")
    assert curated_moods([stray.pk]) == {"calm"}

    again = import_playlist(curator, f"spotify:playlist:{FOCUS.id}", "sad", name="Study")

    again.refresh_from_db()
    assert again.pk == playlist.pk
    assert (again.name, again.mood, again.import_status) == ("Study", "sad", "done")
    assert again.entries.count() == 60
    assert curated_moods([stray.pk]) == set()
    assert curated_moods(again.entries.values_list("track_id", flat=True)) == {"sad"}
    assert Track.objects.filter(spotify_id=catalogue.track(FOCUS.track_indices[0]).id).count() == 1


@pytest.mark.parametrize(
    "playlist_id",
    [
        PARTY.id,  # alex's, public: Spotify shows the playlist but not its tracks (403)
        BLUE.id,  # sam's, private: Spotify says there is no such playlist (404)
        "0000000000000000000000",  # no such playlist at all (404)
    ],
)
def test_a_playlist_spotify_wont_show_is_refused_and_leaves_no_row(
    curator: User, playlist_id: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        mood_playlist_import_request(user=curator, playlist_ref=playlist_id, mood="happy")

    assert refused.value.message == (
        "Spotify won't show this playlist: it is not yours or not public."
    )
    assert refused.value.extra == {"field": "playlist", "code": "spotify_refused"}
    assert not MoodPlaylist.objects.exists()


def test_a_refused_reimport_leaves_the_playlist_as_it_was(curator: User) -> None:
    playlist = MoodPlaylist.objects.create(
        name="Party", mood="happy", spotify_playlist_id=PARTY.id, import_status="done"
    )

    with pytest.raises(ApplicationError, match="not yours or not public"):
        mood_playlist_import_request(user=curator, playlist_ref=PARTY.id, mood="sad")

    playlist.refresh_from_db()
    assert (playlist.name, playlist.mood, playlist.import_status) == ("Party", "happy", "done")


def test_a_refusal_in_the_worker_removes_the_row_the_import_made(
    sandbox: Sandbox, curator: User
) -> None:
    """Spotify may still refuse between the check and the worker (the playlist made private)."""
    queued = mood_playlist_import_request(user=curator, playlist_ref=FOCUS.id, mood="calm")
    assert queued.created
    assert queued.playlist.name == "Focus"  # Spotify's name, read by the check
    sandbox.fault("v1/playlists/*/items*", 403, remaining=1)

    tracks = mood_playlist_import_task.delay(
        queued.playlist.pk, curator.pk, discard_on_refusal=True
    )

    assert tracks.get() == 0
    assert not MoodPlaylist.objects.exists()


def test_a_refusal_in_the_worker_keeps_a_playlist_that_was_here_before(
    sandbox: Sandbox, curator: User
) -> None:
    kept = MoodPlaylist.objects.create(name="Mine", mood="calm", spotify_playlist_id=FOCUS.id)
    queued = mood_playlist_import_request(user=curator, playlist_ref=FOCUS.id, mood="calm")
    assert not queued.created
    assert queued.playlist.pk == kept.pk
    sandbox.fault("v1/playlists/*/items*", 403, remaining=1)

    mood_playlist_import_task.delay(kept.pk, curator.pk, discard_on_refusal=queued.created)

    kept.refresh_from_db()
    assert kept.name == "Mine"
    assert kept.import_status == "failed"
    assert kept.import_message == (
        "Import failed: Spotify won't show this playlist: it is not yours or not public."
    )


def test_the_curators_own_playlists_are_listed(curator: User) -> None:
    listing = curator_playlists(user=curator)

    assert listing.connected
    assert listing.problem == ""
    # demo owns three and collaborates on Road Trip; Alex's Party Mix is only followed.
    assert [(ref.name, ref.total, ref.collaborative) for ref in listing.playlists] == [
        ("Focus", 60, False),
        ("Morning Run", 40, False),
        ("Rainy Day", 35, False),
        ("Road Trip", 30, True),
    ]


def test_the_list_says_why_it_is_missing(sandbox: Sandbox, curator: User) -> None:
    assert curator_playlists(user=UserFactory()).connected is False

    sandbox.fault("v1/me/playlists*", 503, remaining=1)
    listing = curator_playlists(user=curator)

    assert listing.connected
    assert listing.playlists == []
    assert "paste a playlist's link" in listing.problem


def test_a_rate_limit_reschedules_the_import(sandbox: Sandbox, curator: User) -> None:
    sandbox.fault("v1/playlists/*/items*", 429, retry_after=7, remaining=1)

    queued = mood_playlist_import_request(user=curator, playlist_ref=FOCUS.id, mood="calm")
    assert queued.playlist.import_status == "queued"

    # Tasks run eagerly in tests, so the task's retry surfaces here instead of being scheduled.
    with pytest.raises(Retry) as retry:
        mood_playlist_import_task.delay(queued.playlist.pk, curator.pk)

    assert retry.value.when == 7
    playlist = MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id)
    assert playlist.import_status == "queued"
    assert "starts again in 7 s" in playlist.import_message

    mood_playlist_import_task.apply(args=(playlist.pk, curator.pk))

    playlist.refresh_from_db()
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60


def test_the_import_reports_progress(curator: User, monkeypatch) -> None:
    seen: list[str] = []
    from recommendations import curation

    original = curation._set_import_state

    def spy(playlist_id: int, status: str, message: str) -> None:
        seen.append(f"{status}: {message}")
        original(playlist_id, status, message)

    monkeypatch.setattr(curation, "_set_import_state", spy)
    monkeypatch.setattr(curation, "PROGRESS_EVERY", 25)
    playlist = MoodPlaylist.objects.create(name="x", mood="calm", spotify_playlist_id=FOCUS.id)

    mood_playlist_import(playlist_id=playlist.pk, user_id=curator.pk)

    assert seen == [
        "running: Reading the playlist from Spotify.",
        "running: Read 25 of 60 tracks so far.",
        "running: Read 50 of 60 tracks so far.",
    ]


def test_the_admin_queues_the_import_and_the_reimport(curator: User, client: Client) -> None:
    curator.groups.add(curators_group_ensure())
    client.force_login(curator)

    imported = client.post(
        "/admin/library/moodplaylist/import/", {"playlist": FOCUS.id, "mood": "calm"}
    )

    playlist = MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id)
    assert imported.status_code == 302
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60

    playlist.entries.all().delete()
    reimported = client.post(
        "/admin/library/moodplaylist/",
        {"action": "reimport", "_selected_action": [str(playlist.pk)]},
        follow=True,
    )

    playlist.refresh_from_db()
    assert "1 import(s) queued." in reimported.content.decode()
    assert playlist.import_status == "done", playlist.import_message
    assert playlist.entries.count() == 60


@pytest.mark.django_db
def test_bad_references_and_missing_spotify_are_explained() -> None:
    user = UserFactory()
    with pytest.raises(ApplicationError) as bad:
        mood_playlist_import_request(user=user, playlist_ref="not a playlist", mood="calm")
    with pytest.raises(ApplicationError) as unconnected:
        mood_playlist_import_request(user=user, playlist_ref=FOCUS.id, mood="calm")
    with pytest.raises(ApplicationError):
        mood_playlist_import_request(user=user, playlist_ref=FOCUS.id, mood="furious")

    assert bad.value.extra == {"field": "playlist"}
    assert "Connect your Spotify account" in unconnected.value.message
    assert not MoodPlaylist.objects.exists()


def test_rule_coverage_names_what_is_missing() -> None:
    from ml.labels import EMOTIONS

    full = [(emotion, strategy, 1.0) for emotion in EMOTIONS for strategy in ("match", "lift")]
    assert rule_coverage_problems(full) == []
    broken = [row for row in full if row[:2] != ("fear", "lift")] + [("fear", "lift", 0.0)]
    assert rule_coverage_problems(broken) == [
        '"Lift my mood" has no mood with a weight above 0 for: fear.'
    ]


# The import page in the admin -------------------------------------------------------------------


@pytest.fixture
def curator_client(curator: User, client: Client) -> Client:
    curator.groups.add(curators_group_ensure())
    client.force_login(curator)
    return client


def test_the_import_page_lists_the_curators_playlists_to_pick_from(
    curator_client: Client,
) -> None:
    page = curator_client.get(IMPORT)

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="pick"' in html
    assert f'<option value="{FOCUS.id}">Focus (60 tracks)</option>' in html
    assert "Road Trip (30 tracks, collaborative)" in html
    assert PARTY.id not in html  # only followed: Spotify would not show its tracks
    assert "Or paste a playlist link" in html
    assert "connect your Spotify" not in html.lower()


def test_a_curator_imports_by_picking_from_the_list(curator_client: Client) -> None:
    imported = curator_client.post(IMPORT, {"pick": FOCUS.id, "mood": "calm"})

    playlist = MoodPlaylist.objects.get(spotify_playlist_id=FOCUS.id)
    assert imported.status_code == 302
    assert imported["Location"] == f"/admin/library/moodplaylist/{playlist.pk}/change/"
    assert (playlist.name, playlist.mood, playlist.import_status) == ("Focus", "calm", "done")
    assert playlist.entries.count() == 60


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"mood": "calm"}, "pick", "Pick one of your playlists, or paste a playlist&#x27;s link"),
        ({"pick": FOCUS.id}, "mood", "Pick a mood for the playlist."),
        ({"pick": PARTY.id, "mood": "calm"}, "pick", "no longer among your Spotify playlists"),
        ({"playlist": "https://example.com/x", "mood": "calm"}, "playlist", "Enter a Spotify"),
        (
            {"pick": FOCUS.id, "playlist": catalogue.PLAYLISTS["demo-run"].id, "mood": "calm"},
            "playlist",
            "pasted the link of another one",
        ),
        (
            {"playlist": f"https://open.spotify.com/playlist/{PARTY.id}", "mood": "happy"},
            "playlist",
            "Spotify won&#x27;t show this playlist: it is not yours or not public.",
        ),
    ],
    ids=["nothing", "no-mood", "not-in-list", "bad-link", "two-playlists", "not-yours"],
)
def test_the_import_form_explains_what_is_wrong(
    curator_client: Client, data: dict[str, str], field: str, message: str
) -> None:
    page = curator_client.post(IMPORT, data)

    assert page.status_code == 400
    errors = page.context["form"].errors
    assert list(errors) == [field], errors
    assert message in page.content.decode()
    assert not MoodPlaylist.objects.exists()


def test_picking_and_pasting_the_same_playlist_is_fine(curator_client: Client) -> None:
    link = f"https://open.spotify.com/playlist/{FOCUS.id}?si=x"

    imported = curator_client.post(IMPORT, {"pick": FOCUS.id, "playlist": link, "mood": "sad"})

    assert imported.status_code == 302
    assert MoodPlaylist.objects.get().mood == "sad"


def test_without_spotify_the_import_page_says_how_to_connect(
    client: Client, transactional_db: None
) -> None:
    staff = UserFactory(username="unlinked", is_staff=True)
    staff.groups.add(curators_group_ensure())
    client.force_login(staff)

    page = client.get(IMPORT)

    html = page.content.decode()
    assert 'name="pick"' not in html
    assert 'href="/accounts/profile/"' in html
    assert "connect your Spotify account first" in html
    refused = client.post(IMPORT, {"playlist": FOCUS.id, "mood": "calm"})
    assert "Connect your Spotify account first" in refused.content.decode()
    assert not MoodPlaylist.objects.exists()


def test_a_refused_reimport_is_reported_per_playlist(curator_client: Client) -> None:
    mine = MoodPlaylist.objects.create(name="Mine", mood="calm", spotify_playlist_id=FOCUS.id)
    theirs = MoodPlaylist.objects.create(name="Theirs", mood="happy", spotify_playlist_id=PARTY.id)

    page = curator_client.post(
        "/admin/library/moodplaylist/",
        {"action": "reimport", "_selected_action": [str(mine.pk), str(theirs.pk)]},
        follow=True,
    )

    html = page.content.decode()
    assert "“Theirs”: Spotify won&#x27;t show this playlist" in html
    assert "1 import(s) queued." in html
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.import_status, theirs.import_status) == ("done", "")


def test_the_status_of_a_removed_playlist_says_so(curator_client: Client) -> None:
    response = curator_client.get("/admin/library/moodplaylist/999999/import-status/")

    assert response.status_code == 404
    body = response.json()
    assert body["removed"] is True
    assert body["finished"] is True
    assert "not yours or not public" in body["message"]


def test_saving_the_form_during_an_import_keeps_the_import_status(
    curator_client: Client, monkeypatch
) -> None:
    """The change form was loaded while the import ran; it ends before the curator presses Save."""
    from recommendations import curation
    from recommendations.admin.playlists import MoodPlaylistAdmin

    playlist = MoodPlaylist.objects.create(
        name="Focus", mood="calm", spotify_playlist_id=FOCUS.id, import_status="running"
    )
    original = MoodPlaylistAdmin.save_form

    def import_ends_meanwhile(self, request, form, change):
        curation._set_import_state(playlist.pk, "done", "Imported 60 tracks.")
        return original(self, request, form, change)

    monkeypatch.setattr(MoodPlaylistAdmin, "save_form", import_ends_meanwhile)

    saved = curator_client.post(
        f"/admin/library/moodplaylist/{playlist.pk}/change/",
        {
            "name": "Deep focus",
            "mood": "calm",
            "description": "",
            "spotify_playlist_id": FOCUS.id,
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0",
            "entries-MAX_NUM_FORMS": "1000",
        },
    )

    assert saved.status_code == 302, saved.content.decode()[:2000]
    playlist.refresh_from_db()
    assert playlist.name == "Deep focus"
    assert (playlist.import_status, playlist.import_message) == ("done", "Imported 60 tracks.")


# Connecting Spotify ----------------------------------------------------------------------------


def test_connecting_spotify_never_renames_an_account(sandbox: Sandbox) -> None:
    # Staff and curators never connect through the stand-in (spotify_sandbox/tests/
    # test_security.py); a local account that does keeps its names and email.
    import requests
    from social_django.models import UserSocialAuth

    plain = UserFactory(username="admin", email="a@example.com")
    named = UserFactory(username="pat", first_name="Pat", last_name="Lee")
    for user, spotify_user in ((plain, "sam"), (named, "alex")):
        browser = requests.Session()
        token = sandbox.csrf_token(browser)
        signed_in = browser.post(
            sandbox.base + "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": user.username,
                  "password": "correct-horse-battery"},
            allow_redirects=False,
            timeout=10,
        )  # fmt: skip
        assert signed_in.status_code == 302

        done = sandbox.sign_in(
            browser, user=spotify_user, next_url="/accounts/profile/",
            from_path="/accounts/profile/",
        )  # fmt: skip

        assert done.headers["Location"] == "/accounts/profile/"
        assert UserSocialAuth.objects.get(extra_data__id=spotify_user).user == user

    plain.refresh_from_db()
    named.refresh_from_db()
    assert (plain.first_name, plain.last_name, plain.email) == ("", "", "a@example.com")
    assert (named.first_name, named.last_name) == ("Pat", "Lee")


def test_a_new_spotify_account_still_gets_its_name(sandbox: Sandbox) -> None:
    import requests

    sandbox.sign_in(requests.Session(), user="sam")

    user = User.objects.get(social_auth__extra_data__id="sam")
    assert (user.first_name, user.last_name) == ("Sam", "Okafor")
