"""Tests for the songs panel (/songs/reading/<id>/) and a stored list (/songs/<pk>/)."""

import pytest
from django.test import Client, override_settings
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from accounts.tests.factories import UserFactory
from emotions.models import MoodReading
from feedback.services import rating_upsert
from library.evidence import track_moods_sync_curated
from library.models import LibrarySync
from library.tests.factories import curated_library
from recommendations.models import Recommendation
from recommendations.tests.factories import DoneReadingFactory, RecommendationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
# The tests' Spotify is the stand-in (made-up ids); these settings are real Spotify's.
REAL_SPOTIFY = {"SPOTIFY_API_BASE_URL": "https://api.spotify.com/v1/", "DEMO_MODE": False}
# Stand-in ids that a test declares real songs (SPOTIFY_STAND_IN_REAL_TRACK points here).
REAL_IDS: set[str] = set()


def real_song_index(spotify_id: str) -> int | None:
    return 1 if spotify_id in REAL_IDS else None


@pytest.fixture
def reading(user) -> MoodReading:
    curated_library(user, per_mood=5)
    track_moods_sync_curated()
    return DoneReadingFactory(user=user, emotion="sad")


def panel_url(reading: MoodReading) -> str:
    return f"/songs/reading/{reading.pk}/"


@pytest.mark.django_db
@override_settings(**REAL_SPOTIFY)
def test_the_panel_is_an_htmx_partial_with_ten_songs_and_reasons(
    client_logged_in: Client, reading
) -> None:
    response = client_logged_in.get(panel_url(reading), {"strategy": "match"}, **HTMX)

    assertTemplateUsed(response, "recommendations/_panel.html")
    assertNotContains(response, "<html")
    assertContains(response, 'id="songs-panel"')
    assertContains(response, "Feeling sad? Songs to match your mood")
    assertContains(response, 'class="song"', count=10)
    assertContains(response, "curated sad")
    assertContains(response, "https://open.spotify.com/embed/track/", count=10)
    assertContains(response, 'loading="lazy"', count=10)
    assertContains(response, 'title="Spotify player: ')
    assertContains(response, "Open in Spotify", count=10)
    assertContains(response, 'role="status"')
    recommendation = Recommendation.objects.get()
    assert recommendation.reading == reading
    assert recommendation.strategy == "match"


@pytest.mark.django_db
def test_without_htmx_it_is_a_full_page(client_logged_in: Client, reading) -> None:
    response = client_logged_in.get(panel_url(reading))

    assertTemplateUsed(response, "recommendations/for_reading.html")
    assertContains(response, "<h1>")
    assertContains(response, "Feeling sad? Songs to match your mood")  # the user's default strategy


@pytest.mark.django_db
def test_the_switch_offers_both_strategies_and_marks_the_current_one(
    client_logged_in: Client, reading
) -> None:
    response = client_logged_in.get(panel_url(reading), {"strategy": "lift"}, **HTMX)

    assertContains(response, "Feeling sad? Songs to lift your mood")
    assertContains(response, "leaning calm and happy")
    assertContains(response, f'hx-get="{panel_url(reading)}?strategy=match"')
    assertContains(response, 'hx-target="#songs-panel"')
    html = response.content.decode()
    current = html[html.index('aria-current="true"') - 400 : html.index('aria-current="true"')]
    assert "strategy=lift" in current


@pytest.mark.django_db
def test_switching_strategy_changes_the_songs(client_logged_in: Client, reading) -> None:
    match = client_logged_in.get(panel_url(reading), {"strategy": "match"}, **HTMX)
    lift = client_logged_in.get(panel_url(reading), {"strategy": "lift"}, **HTMX)

    assertContains(match, '<h4 class="song-title">Sad song', count=5)
    assertNotContains(lift, '<h4 class="song-title">Sad song')
    assertContains(lift, '<h4 class="song-title">Calm song', count=5)


@pytest.mark.django_db
def test_a_reload_shows_the_same_list_and_new_picks_make_a_new_one(
    client_logged_in: Client, reading
) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    client_logged_in.get(panel_url(reading), **HTMX)
    assert Recommendation.objects.count() == 1

    response = client_logged_in.post(panel_url(reading), {"strategy": "match"}, **HTMX)

    assert Recommendation.objects.count() == 2
    assertContains(response, 'id="songs-panel"')


@pytest.mark.django_db
def test_new_picks_without_htmx_redirect_to_the_panel(client_logged_in: Client, reading) -> None:
    response = client_logged_in.post(panel_url(reading), {"strategy": "lift"})

    assert response.status_code == 302
    assert response["Location"] == f"{panel_url(reading)}?strategy=lift"


@pytest.mark.django_db
def test_switching_moves_focus_to_the_new_heading(client_logged_in: Client, reading) -> None:
    first = client_logged_in.get(panel_url(reading), **HTMX)
    switched = client_logged_in.get(
        panel_url(reading), {"strategy": "lift"}, HTTP_HX_TARGET="songs-panel", **HTMX
    )

    assertNotContains(first, "autofocus")
    assertContains(switched, "autofocus")


@pytest.mark.django_db
def test_the_songs_after_a_correction_take_the_focus(client_logged_in: Client, reading) -> None:
    # The reading's panel asks for it with ?focus=1 after the listener corrected the mood.
    response = client_logged_in.get(panel_url(reading), {"focus": "1"}, **HTMX)
    full_page = client_logged_in.get(panel_url(reading), {"focus": "1"})

    assertContains(response, 'id="songs-title" tabindex="-1" autofocus')
    assertNotContains(full_page, "autofocus")


@pytest.mark.django_db
def test_the_save_form_posts_the_list_to_spotify(client_logged_in: Client, reading) -> None:
    response = client_logged_in.get(panel_url(reading), **HTMX)

    recommendation = Recommendation.objects.get()
    assertContains(response, f'action="/songs/{recommendation.pk}/save/"')
    assertContains(response, "Save as a playlist in my Spotify")


@pytest.mark.django_db
@override_settings(**REAL_SPOTIFY)
def test_a_saved_list_links_to_its_playlist(client_logged_in: Client, reading) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    Recommendation.objects.update(spotify_playlist_id="0123456789abcdefghijkl")

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "https://open.spotify.com/playlist/0123456789abcdefghijkl")
    assertNotContains(response, "Save as a playlist in my Spotify")


@pytest.mark.django_db
def test_in_demo_mode_made_up_songs_have_no_player_and_no_spotify_links(
    client_logged_in: Client, reading
) -> None:
    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, 'class="song"', count=10)
    assertContains(response, "Preview not available in the demo", count=10)
    assertContains(response, "these songs are made up by Moodtrack's Spotify stand-in")
    assertNotContains(response, "<iframe")
    assertNotContains(response, "open.spotify.com")
    assertNotContains(response, "Open in Spotify")


@pytest.mark.django_db
@override_settings(SPOTIFY_STAND_IN_REAL_TRACK=f"{__name__}.real_song_index")
def test_in_demo_mode_the_stand_ins_real_songs_keep_their_player_and_link(
    client_logged_in: Client, reading
) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    tracks = [item.track for item in Recommendation.objects.get().items.order_by("position")]
    REAL_IDS.update(track.spotify_id for track in tracks[:3])
    try:
        response = client_logged_in.get(panel_url(reading), **HTMX)
    finally:
        REAL_IDS.clear()

    assertContains(response, "<iframe", count=3)
    assertContains(response, "Open in Spotify", count=3)
    for track in tracks[:3]:
        assertContains(response, f"https://open.spotify.com/embed/track/{track.spotify_id}")
        assertContains(response, f"https://open.spotify.com/track/{track.spotify_id}")
    for track in tracks[3:]:
        assertNotContains(response, f"open.spotify.com/embed/track/{track.spotify_id}")
        assertNotContains(response, f"open.spotify.com/track/{track.spotify_id}")
    assertContains(response, "Preview not available in the demo", count=7)
    assertContains(response, "7 of these songs are made up")


@pytest.mark.django_db
def test_in_demo_mode_a_saved_list_does_not_link_to_a_made_up_playlist(
    client_logged_in: Client, reading
) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    Recommendation.objects.update(spotify_playlist_id="0123456789abcdefghijkl")

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "Saved as a playlist in your demo Spotify")
    assertNotContains(response, "open.spotify.com/playlist/")


def test_the_stand_ins_real_songs_are_recognised_by_their_real_spotify_id(settings) -> None:
    """The default check is the stand-in's own list of real songs (../shared music moods)."""
    from recommendations.playback import tracks_playable
    from spotify_sandbox import real_songs

    assert settings.SPOTIFY_STAND_IN_REAL_TRACK == "spotify_sandbox.real_songs.index_of"
    made_up = "0000000000000000000000"
    songs = real_songs._loaded().songs
    if not songs:
        pytest.skip("no real songs: ../shared/data/music_moods/tracks.csv is missing")
    real = {song.spotify_id for song in songs[:2]}
    assert tracks_playable({made_up, *real}) == real
    settings.SPOTIFY_API_BASE_URL = REAL_SPOTIFY["SPOTIFY_API_BASE_URL"]
    assert tracks_playable({made_up, *real}) == {made_up, *real}


@pytest.mark.django_db
@override_settings(**REAL_SPOTIFY)
def test_with_real_spotify_there_is_no_demo_notice(client_logged_in: Client, reading) -> None:
    assertNotContains(client_logged_in.get(panel_url(reading), **HTMX), "Demo mode")


@pytest.mark.django_db
def test_stars_show_the_users_earlier_rating(client_logged_in: Client, user, reading) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    item = Recommendation.objects.get().items.get(position=1)
    rating_upsert(user=user, item=item, stars=4)

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, f'id="rate-{item.pk}-4" name="stars" value="4" checked')
    assertContains(response, "You rated it ★4.")
    assertContains(response, 'hx-post="/ratings/"', count=10)


@pytest.mark.django_db
def test_cold_start_is_explained(client_logged_in: Client, user) -> None:
    from library.tests.factories import LibraryEntryFactory

    for _ in range(4):
        LibraryEntryFactory(user=user)
    reading = DoneReadingFactory(user=user, emotion="happy")

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "We don't know the moods of your songs yet")
    assertContains(response, "exploring", count=4)


@pytest.mark.django_db
def test_no_library_yet_links_to_the_library_page_with_a_sync_hint(
    client_logged_in: Client, user
) -> None:
    reading = DoneReadingFactory(user=user)

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "We haven't read your Spotify library yet")
    assertContains(response, 'href="/library/"')
    assertContains(response, "Syncing reads your liked songs")
    assert not Recommendation.objects.exists()


@pytest.mark.django_db
def test_while_the_first_sync_runs_the_panel_asks_again_by_itself(
    client_logged_in: Client, user
) -> None:
    reading = DoneReadingFactory(user=user)
    sync = LibrarySync.objects.create(user=user, status=LibrarySync.Status.RUNNING)

    waiting = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(waiting, "Your songs appear here by themselves")
    assertContains(waiting, 'hx-trigger="every 3s"')
    assertNotContains(waiting, "We haven't read your Spotify library yet")
    # Once the sync has ended without songs, the panel stops asking and explains instead.
    sync.status = LibrarySync.Status.FAILED
    sync.save()
    ended = client_logged_in.get(panel_url(reading), **HTMX)
    assertNotContains(ended, 'hx-trigger="every 3s"')
    assertContains(ended, "We haven't read your Spotify library yet")


@pytest.mark.django_db
def test_a_synced_but_empty_library_is_explained(client_logged_in: Client, user) -> None:
    LibrarySync.objects.create(user=user, status=LibrarySync.Status.DONE)
    reading = DoneReadingFactory(user=user)

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "Your Spotify library is empty")


@pytest.mark.django_db
def test_a_reading_without_an_emotion_gets_no_songs(client_logged_in: Client, user) -> None:
    reading = DoneReadingFactory(user=user, status=MoodReading.Status.NO_FACE, emotion="")

    response = client_logged_in.get(panel_url(reading), **HTMX)

    assertContains(response, "no emotion to pick songs for")
    assertNotContains(response, "strategy-switch")


@pytest.mark.django_db
def test_the_users_correction_wins_over_the_model(client_logged_in: Client, reading) -> None:
    assertContains(client_logged_in.get(panel_url(reading), **HTMX), "Feeling sad?")
    reading.user_emotion = "happy"
    reading.save()

    assertContains(client_logged_in.get(panel_url(reading), **HTMX), "Feeling happy?")
    assert Recommendation.objects.filter(reading=reading, emotion="happy").count() == 1


@pytest.mark.django_db
def test_someone_elses_reading_is_not_found(client_logged_in: Client) -> None:
    other = DoneReadingFactory()

    assert client_logged_in.get(panel_url(other), **HTMX).status_code == 404


@pytest.mark.django_db
def test_the_panel_needs_a_signed_in_user(client: Client, reading) -> None:
    response = client.get(panel_url(reading))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_a_stored_list_has_its_own_page(client_logged_in: Client, user, reading) -> None:
    client_logged_in.get(panel_url(reading), **HTMX)
    recommendation = Recommendation.objects.get()

    response = client_logged_in.get(f"/songs/{recommendation.pk}/")

    assertTemplateUsed(response, "recommendations/detail.html")
    assertContains(response, 'class="song"', count=10)
    assertContains(response, f'href="/mood/readings/{reading.pk}/"')


@pytest.mark.django_db
def test_a_stored_list_is_private(client_logged_in: Client) -> None:
    other = RecommendationFactory(user=UserFactory())

    assert client_logged_in.get(f"/songs/{other.pk}/").status_code == 404
