"""The quick sort page over the test client: what it asks, what answers write, and its contract."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.tests.factories import UserFactory
from library.models import LibraryEntry, Track, TrackMood
from library.quicksort import ROUND_SIZE, quick_sort_candidates

URL = "/library/sort/"
SORTED = TrackMood.Source.SORTED

pytestmark = pytest.mark.django_db


def _song(user, n: int, **entry) -> Track:
    track, _ = Track.objects.get_or_create(
        spotify_id=f"qs{n:05d}",
        defaults={"name": f"Song number {n}", "artist_names": f"Artist {n}",
                  "album_name": f"Album {n}", "image_url": f"https://i.scdn.co/image/{n}"},
    )  # fmt: skip
    LibraryEntry.objects.create(user=user, track=track, **({"liked": True} | entry))
    return track


def _known(track: Track, *, weight: float = 1.0, source: str = TrackMood.Source.CURATED) -> None:
    TrackMood.objects.create(track=track, mood="happy", source=source, score=1.0, weight=weight)


def _shown(response) -> str | None:
    """The name of the song the page asks about (its heading), or None."""
    match = re.search(r'<h2 id="quick-sort-title"[^>]*>([^<]*)</h2>', response.content.decode())
    form = 'name="track"' in response.content.decode()
    return match.group(1).strip() if match and form else None


def _shown_id(response) -> int | None:
    match = re.search(r'name="track" value="(\d+)"', response.content.decode())
    return int(match.group(1)) if match else None


@pytest.fixture
def user(client: Client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_the_page_needs_a_signed_in_user(client: Client) -> None:
    assertRedirects(client.get(URL), f"/accounts/login/?next={URL}")
    assert client.post(URL, {"track": 1, "mood": "sad"}).status_code == 302
    assert not TrackMood.objects.exists()


def test_an_unknown_song_is_asked_about_before_a_weakly_known_and_a_known_one(client, user):
    known = _song(user, 1)
    _known(known)  # curated: known
    weak = _song(user, 2)
    _known(weak, weight=0.3, source=TrackMood.Source.TAGS)
    unknown = _song(user, 3)

    response = client.get(URL)

    assert response.status_code == 200
    assert _shown(response) == unknown.name
    assertContains(response, "Artist 3")
    assertContains(response, 'src="https://i.scdn.co/image/3"')
    assertContains(response, "Song 1 of 2")  # the known song is not part of the round
    client.post(URL, {"track": unknown.pk, "mood": "calm"})
    assert _shown(client.get(URL)) == weak.name


def test_another_listeners_own_evidence_does_not_make_a_song_known(client, user) -> None:
    other = UserFactory()
    track = _song(user, 1)
    _song(other, 1)
    TrackMood.objects.create(
        track=track, user=other, mood="sad", source=SORTED, score=1.0, weight=1.0
    )
    assert _shown(client.get(URL)) == track.name


def test_an_answer_writes_sorted_evidence_for_this_listener_only(client, user) -> None:
    other = UserFactory()
    track = _song(user, 1)
    _song(other, 1)  # the same song in someone else's library
    next_song = _song(user, 2, liked=False, recent=True)

    response = client.post(URL, {"track": track.pk, "mood": "calm"})

    assertRedirects(response, URL, fetch_redirect_response=False)
    row = TrackMood.objects.get(source=SORTED)
    assert (row.track, row.user, row.mood, row.score, row.weight, row.detail) == (
        track, user, "calm", 1.0, 1.0, "you sorted it as calm",
    )  # fmt: skip
    page = client.get(URL)
    assertContains(page, "Saved: “Song number 1” is calm.")
    assert _shown(page) == next_song.name
    assertContains(page, 'id="quick-sort-title" tabindex="-1" autofocus')  # focus on the new song
    # For the other listener the song is still unknown, and nothing of theirs was written.
    assert list(quick_sort_candidates(user=other).values_list("track", flat=True)) == [track.pk]
    assert not TrackMood.objects.filter(user=other).exists()
    other_client = Client()
    other_client.force_login(other)
    assert _shown(other_client.get(URL)) == track.name


def test_sorting_a_song_again_replaces_the_earlier_answer(client, user) -> None:
    track = _song(user, 1)
    _song(user, 2)
    client.post(URL, {"track": track.pk, "mood": "calm"})
    client.post(URL, {"track": track.pk, "mood": "sad"})
    rows = TrackMood.objects.filter(source=SORTED, user=user, track=track)
    assert list(rows.values_list("mood", "detail")) == [("sad", "you sorted it as sad")]


def test_skip_moves_on_writes_nothing_and_the_song_is_not_shown_again_this_round(client, user):
    first, second, third = _song(user, 1), _song(user, 2), _song(user, 3)
    assert _shown_id(client.get(URL)) == first.pk

    response = client.post(URL, {"track": first.pk, "skip": "1"})
    assertRedirects(response, URL, fetch_redirect_response=False)

    page = client.get(URL)
    assertContains(page, "Skipped “Song number 1”.")
    assertContains(page, "Song 2 of 3")
    assert _shown_id(page) == second.pk
    client.post(URL, {"track": second.pk, "mood": "happy"})
    assert _shown_id(client.get(URL)) == third.pk  # not the skipped first song
    assert not TrackMood.objects.filter(track=first).exists()


def test_a_round_stops_after_20_songs_and_another_can_start(client, user) -> None:
    tracks = [_song(user, n) for n in range(ROUND_SIZE + 5)]
    shown = []
    for n in range(ROUND_SIZE):
        page = client.get(URL)
        assertContains(page, f"Song {n + 1} of {ROUND_SIZE}")
        track_id = _shown_id(page)
        shown.append(track_id)
        data = (
            {"track": track_id, "skip": "1"} if n % 4 == 3 else {"track": track_id, "mood": "sad"}
        )
        client.post(URL, data)

    done = client.get(URL)

    assert _shown_id(done) is None
    assertContains(done, f"that\u2019s {ROUND_SIZE} songs")
    assertContains(done, "You sorted 15 and skipped 5.")
    assert len(set(shown)) == ROUND_SIZE
    assert TrackMood.objects.filter(source=SORTED, user=user).count() == 15
    assertContains(done, 'href="/library/"')
    # Another round: the 5 songs never shown come first, then the 5 skipped ones come back.
    assertRedirects(client.post(URL, {"restart": "1"}), URL)
    page = client.get(URL)
    assertContains(page, "Song 1 of 5")
    assert _shown_id(page) in {t.pk for t in tracks} - set(shown)


def test_everything_known_shows_the_empty_state(client, user) -> None:
    for n in range(3):
        _known(_song(user, n))
    page = client.get(URL)
    assertContains(page, "Every song in your library has a mood — nothing to sort")
    assertContains(page, 'href="/library/"')
    assertNotContains(page, 'name="mood"')


def test_an_answer_needs_the_csrf_token(user) -> None:
    track = _song(user, 1)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)

    assert strict.post(URL, {"track": track.pk, "mood": "sad"}).status_code == 403
    assert not TrackMood.objects.exists()

    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', strict.get(URL).content.decode()
    ).group(1)
    response = strict.post(URL, {"track": track.pk, "mood": "sad", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert TrackMood.objects.filter(source=SORTED, user=user, track=track).exists()


def test_someone_elses_song_or_a_made_up_mood_is_rejected_and_nothing_written(client, user):
    mine = _song(user, 1)
    theirs = _song(UserFactory(), 2)

    assert client.post(URL, {"track": theirs.pk, "mood": "sad"}).status_code == 404
    assert client.post(URL, {"track": theirs.pk, "skip": "1"}).status_code == 404
    assert client.post(URL, {"track": "x", "mood": "sad"}).status_code == 404
    assert client.post(URL, {"track": 999_999, "mood": "sad"}).status_code == 404
    assert client.post(URL, {"track": mine.pk, "mood": "angry"}).status_code == 400
    assert client.post(URL, {"track": mine.pk}).status_code == 400

    assert not TrackMood.objects.exists()
    assertContains(client.get(URL), "Song 1 of 1")  # nothing counted against the round


class _Buttons(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.buttons: list[dict[str, str | None]] = []
        self.scripts: list[str] = []
        self.ids: dict[str, str] = {}
        self._current_id: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and "data-quick-sort" in attrs:
            self._in_form = True
            assert attrs["method"] == "post"
        if tag == "button" and self._in_form:
            self.buttons.append(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if attrs.get("id"):
            self._current_id = attrs["id"]
            self.ids[self._current_id] = ""

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._in_form = False

    def handle_data(self, data) -> None:
        if self._current_id:
            self.ids[self._current_id] += data


def test_the_keyboard_contract_buttons_in_order_with_explained_shortcuts(client, user) -> None:
    _song(user, 1)
    page = _Buttons()
    page.feed(client.get(URL).content.decode())

    names = [(b.get("name"), b.get("value")) for b in page.buttons]
    assert names == [("mood", "happy"), ("mood", "energetic"), ("mood", "calm"), ("mood", "sad"),
                     ("skip", "1")]  # fmt: skip
    assert all(b.get("type") == "submit" and b.get("tabindex") is None for b in page.buttons)
    shortcuts = [b["aria-keyshortcuts"] for b in page.buttons]
    assert shortcuts == ["1 H", "2 E", "3 C", "4 S", "0 K"]
    assert [b["data-keys"] for b in page.buttons] == shortcuts
    for button in page.buttons:
        explained = page.ids[button["aria-describedby"]]
        assert "1 or H for Happy" in explained
        assert "0 or K to skip" in explained
    assert "/static/library/quicksort.js" in page.scripts
    script = Path(finders.find("library/quicksort.js")).read_text(encoding="utf-8")
    for needed in ("keydown", "data-keys", "quick-sort-title"):
        assert needed in script


def test_quick_sort_is_offered_from_the_library_page_and_the_cold_start_banner(client, user):
    _song(user, 1)
    assertContains(client.get("/library/"), f'href="{URL}"')
    panel = render_to_string(
        "recommendations/_panel.html",
        {
            "state": "ok",
            "rows": [],
            "stored": True,
            "recommendation": {"pk": 1, "cold_start": True, "strategy": "match"},
        },
    )
    assert "songs-cold-start" in panel
    assert f'href="{URL}"' in panel
