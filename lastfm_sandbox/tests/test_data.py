"""The stand-in's tags: real ones from the shared songs, generated ones with Last.fm's gaps."""

from __future__ import annotations

import ast
import csv
from collections import Counter

from lastfm_sandbox import data
from spotify_sandbox import catalogue


def _procedural_answers(n: int = 2000) -> list[tuple[catalogue.Track, data.TrackTags | None]]:
    tracks = [catalogue.track(index) for index in range(1000, 1000 + n)]
    return [(t, data.track_top_tags(artist=t.artists[0].name, track=t.name)) for t in tracks]


def test_real_songs_have_their_real_tags_in_order(music_moods_csv) -> None:
    with music_moods_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:25]

    for row in rows:
        found = data.track_top_tags(artist=row["artist"].lower(), track=row["track"].upper())
        expected = list(
            zip(ast.literal_eval(row["tags"]), ast.literal_eval(row["weights"]), strict=True)
        )
        assert found is not None
        assert list(found.tags) == expected
        assert (found.artist, found.track) == (row["artist"], row["track"])


def test_a_real_artists_tags_sum_their_songs_tags(music_moods_csv) -> None:
    with music_moods_csv.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["artist"] == "Tom Waits"]
    weights: Counter[str] = Counter()
    for row in rows:
        for name, weight in zip(
            ast.literal_eval(row["tags"]), ast.literal_eval(row["weights"]), strict=True
        ):
            weights[name.casefold()] += weight

    found = data.artist_top_tags(artist="TOM WAITS")

    assert len(rows) > 1
    assert found.tags[0][1] == 100
    assert found.tags[0][0].casefold() == weights.most_common(1)[0][0]
    assert len(found.tags) <= data.MAX_ARTIST_TAGS


def test_without_the_shared_file_only_procedural_tags_remain(settings, tmp_path) -> None:
    settings.MUSIC_MOODS_CSV = tmp_path / "absent.csv"
    track = catalogue.track(1234)

    assert data.track_top_tags(artist="Joni Mitchell", track="Borderline") is None
    assert data.artist_top_tags(artist="Joni Mitchell") is None
    assert data.artist_top_tags(artist=track.artists[0].name) is not None


def test_procedural_tags_are_deterministic() -> None:
    first = _procedural_answers(200)

    assert _procedural_answers(200) == first


def test_procedural_tracks_have_realistic_gaps() -> None:
    answers = _procedural_answers()
    unknown = sum(found is None for _, found in answers) / len(answers)
    untagged = sum(found is not None and not found.tags for _, found in answers) / len(answers)

    assert 0.02 < unknown < 0.09
    assert 0.10 < untagged < 0.21
    for track, found in answers:
        if found is not None and not found.tags:
            artist = data.artist_top_tags(artist=track.artists[0].name)
            assert len(artist.tags) >= 3  # the artist fallback is there


def test_tagged_procedural_tracks_mix_mood_genre_and_junk() -> None:
    tagged = [(track, found) for track, found in _procedural_answers() if found and found.tags]
    genres = {name for names in data.GENRE_TAGS.values() for name in names}
    genres |= set(data.COMMON_GENRES)

    for track, found in tagged:
        names = [name for name, _ in found.tags]
        counts = [count for _, count in found.tags]
        assert 3 <= len(names) <= 10
        assert len(set(names)) == len(names)
        assert counts[0] == 100
        assert counts == sorted(counts, reverse=True)
        assert set(names) & set(data.MOOD_TAGS[track.mood])  # says its hidden mood
    with_junk = sum(bool({n for n, _ in found.tags} & set(data.JUNK_TAGS)) for _, found in tagged)
    with_genre = sum(bool({n for n, _ in found.tags} & genres) for _, found in tagged)
    assert with_junk / len(tagged) > 0.6
    assert with_genre / len(tagged) > 0.9
    seen = Counter(name for _, found in tagged for name, _ in found.tags)
    assert {"seen live", "favorites", "albums I own", "2010s"} <= set(seen)
    assert {"melancholy", "chill", "upbeat", "aggressive", "metal", "ambient"} <= set(seen)


def test_an_unknown_title_by_a_known_artist_is_unknown() -> None:
    artist = catalogue.track(3).artists[0].name

    assert data.track_top_tags(artist=artist, track="No Such Song Anywhere") is None
    assert data.track_top_tags(artist="", track="Grey Rain") is None
