"""Tag clusters: genre families from Last.fm tags, stored on the track by the tag fetch and by the
migration that backfills them."""

from __future__ import annotations

import ast
import csv
import importlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from library import lastfm
from library.lexicon import moods_from_tags
from library.models import ArtistTags, LibraryEntry, Track, TrackTags
from library.tagclusters import (
    CLUSTERS,
    CLUSTERS_PATH,
    cluster_name,
    cluster_of_tags,
    cluster_table,
    tag_cluster_match,
)
from library.tags import artist_key, first_artist, tags_fetch_run

ROCK, INDIE, POP, ELECTRONIC, HIP_HOP, RNB, JAZZ, CLASSICAL, METAL, FOLK, LATIN, AMBIENT = range(12)


# The lexicon -----------------------------------------------------------------------------------


def test_the_twelve_clusters_load_in_their_stored_order() -> None:
    table = cluster_table()
    assert len(CLUSTERS) == 12
    assert CLUSTERS[INDIE] == "indie & alternative"
    assert CLUSTERS[AMBIENT] == "ambient & chill"
    per_cluster = Counter(table.phrases.values())
    assert all(per_cluster[index] >= 25 for index in range(len(CLUSTERS))), per_cluster
    assert table.phrases["hip hop"] == HIP_HOP  # "Hip-Hop" in key form
    assert table.phrases["r and b"] == RNB  # "R&B"
    assert "seen live" not in table.phrases
    assert "sad" not in table.phrases


def test_the_data_file_must_keep_the_order_and_name_a_phrase_once(tmp_path: Path) -> None:
    data = json.loads(CLUSTERS_PATH.read_text(encoding="utf-8"))
    reordered = dict(reversed(list(data["clusters"].items())))
    (tmp_path / "reordered.json").write_text(json.dumps({**data, "clusters": reordered}))
    with pytest.raises(ValueError, match="clusters must be"):
        cluster_table(tmp_path / "reordered.json")

    repeated = {**data["clusters"], "pop": [*data["clusters"]["pop"], "Indie Rock"]}
    (tmp_path / "repeated.json").write_text(json.dumps({**data, "clusters": repeated}))
    with pytest.raises(ValueError, match="repeated"):
        cluster_table(tmp_path / "repeated.json")


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (  # Radiohead
            [("alternative", 100), ("alternative rock", 85), ("rock", 70), ("indie", 55),
             ("electronic", 35), ("seen live", 30), ("british", 20), ("experimental", 15)],
            INDIE,
        ),
        (  # Joni Mitchell, as Last.fm spells it
            [("singer-songwriter", 100), ("joni mitchell", 80), ("Canadian", 40),
             ("classic rock", 20), ("folk", 20), ("folk-rock", 20), ("Singer/Songwriter", 20)],
            FOLK,
        ),
        (  # Daft Punk
            [("electronic", 100), ("house", 72), ("french house", 55), ("dance", 48),
             ("electro", 40), ("seen live", 21)],
            ELECTRONIC,
        ),
        (  # Kendrick Lamar
            [("Hip-Hop", 100), ("rap", 88), ("west coast rap", 35), ("conscious hip hop", 30)],
            HIP_HOP,
        ),
        (  # Metallica
            [("thrash metal", 100), ("metal", 82), ("heavy metal", 74), ("hard rock", 31),
             ("seen live", 20)],
            METAL,
        ),
        (  # Aretha Franklin
            [("soul", 100), ("female vocalists", 55), ("rnb", 52), ("60s", 40), ("Motown", 18)],
            RNB,
        ),
        (  # Miles Davis
            [("jazz", 100), ("trumpet", 40), ("cool jazz", 33), ("fusion", 20), ("bebop", 18)],
            JAZZ,
        ),
        (  # Hans Zimmer
            [("Soundtrack", 100), ("Soundtracks", 45), ("instrumental", 30), ("epic", 25)],
            CLASSICAL,
        ),
        (  # Bad Bunny
            [("reggaeton", 100), ("latin", 64), ("trap latino", 31), ("Hip-Hop", 12)],
            LATIN,
        ),
        (  # Brian Eno
            [("ambient", 100), ("electronic", 58), ("experimental", 50), ("instrumental", 25)],
            AMBIENT,
        ),
        (  # Taylor Swift
            [("pop", 100), ("country", 60), ("female vocalists", 45), ("singer-songwriter", 20)],
            POP,
        ),
        (  # Bruce Springsteen
            [("rock", 100), ("classic rock", 75), ("singer-songwriter", 40), ("80s", 30)],
            ROCK,
        ),
    ],
)  # fmt: skip
def test_real_looking_tag_lists_land_in_their_family(tags, expected) -> None:
    assert CLUSTERS[cluster_of_tags(tags)] == CLUSTERS[expected]


def test_the_crowds_counts_weigh() -> None:
    assert cluster_of_tags([("rock", 100), ("pop", 40)]) == ROCK
    assert cluster_of_tags([("rock", 40), ("pop", 100)]) == POP
    # Counts add up per cluster: two strong rock tags outweigh the top metal tag, two middling
    # ones do not.
    assert cluster_of_tags([("metal", 100), ("rock", 60), ("hard rock", 60)]) == ROCK
    assert cluster_of_tags([("metal", 100), ("rock", 45), ("hard rock", 45)]) == METAL
    # A count of 0 still says something, a little.
    assert cluster_of_tags([("jazz", 0)]) == JAZZ
    assert cluster_of_tags([("jazz", 0), ("pop", 6)]) == POP


def test_mood_words_and_junk_name_no_family() -> None:
    junk = [
        ("sad", 100), ("melancholy", 80), ("chill", 70), ("seen live", 60), ("2010s", 50),
        ("favorites", 45), ("female vocalists", 40), ("albums I own", 30), ("the word rock", 20),
        ("4 of 10 stars", 10), ("soundtrack of my life", 10), ("i am a party girl here is my "
        "soundtrack", 10), ("not metal", 5),
    ]  # fmt: skip
    assert cluster_of_tags(junk) is None
    assert cluster_of_tags([]) is None
    assert cluster_of_tags([*junk, ("shoegaze", 1)]) == INDIE  # one genre tag, however weak


def test_a_tag_containing_a_genre_counts_for_its_longest_phrase_at_a_lower_weight() -> None:
    assert tag_cluster_match("90s indie rock") == (INDIE, 0.7)  # "indie rock", not "rock"
    assert tag_cluster_match("indie rock") == (INDIE, 1.0)
    assert tag_cluster_match("alternative  punk") == (METAL, 0.7)  # the rightmost: the head
    assert tag_cluster_match("swedish death metal") == (METAL, 0.7)
    assert tag_cluster_match("genre: downtempo") == (AMBIENT, 0.7)
    assert tag_cluster_match("Rock 'n' Roll") == (ROCK, 1.0)
    assert tag_cluster_match("R&B") == (RNB, 1.0)
    # Ambiguous words count only as the whole tag.
    assert tag_cluster_match("world") == (LATIN, 1.0)
    assert tag_cluster_match("best songs in the world") is None
    # A whole rock tag outweighs a stronger one that only contains a genre.
    assert cluster_of_tags([("90s indie rock", 100), ("rock", 80)]) == ROCK
    assert cluster_of_tags([("90s indie rock", 100), ("rock", 30)]) == INDIE


def test_ties_go_to_the_earlier_cluster_whatever_the_tag_order() -> None:
    assert cluster_of_tags([("rock", 50), ("pop", 50)]) == ROCK
    assert cluster_of_tags([("pop", 50), ("rock", 50)]) == ROCK
    assert cluster_of_tags([("jazz", 60), ("pop", 60)]) == POP
    assert cluster_name(POP) == "pop"
    assert cluster_name(None) is None
    assert cluster_name(len(CLUSTERS)) is None


def test_the_same_tags_give_the_same_cluster_in_every_process() -> None:
    code = (
        "from library.tagclusters import cluster_of_tags as c;"
        "print([c([('Hip-Hop/Rap', 40), ('neo soul', 40), ('90s', 9)]),"
        " c([('rock', 50), ('pop', 50)]), c([('alternative punk', 90), ('indie', 63)])])"
    )
    answers = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(answers) == 1


def test_most_real_songs_get_a_family_and_every_family_is_used(music_moods_csv) -> None:
    with music_moods_csv.open(newline="", encoding="utf-8") as handle:
        songs = [
            list(zip(ast.literal_eval(r["tags"]), ast.literal_eval(r["weights"]), strict=False))
            for r in csv.DictReader(handle)
        ]
    found = Counter(cluster_of_tags(tags) for tags in songs)
    assert found[None] < 0.1 * len(songs)
    assert set(found) - {None} == set(range(len(CLUSTERS)))


# The fetch ------------------------------------------------------------------------------------


def _pairs(tags) -> list[tuple[str, float]]:
    return [(str(tag), float(count)) for tag, count in tags]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("sandbox", "lastfm")
def test_the_fetch_stores_each_tracks_cluster_from_its_tags_else_its_artists(
    synced, monkeypatch
) -> None:
    user = synced("synthetic-60")
    ids = LibraryEntry.objects.filter(user=user).values_list("track_id", flat=True)
    tracks = list(Track.objects.filter(pk__in=ids).prefetch_related("artists").order_by("pk"))
    mood_only = tracks[0]  # moods but no genre: the artist is not asked, the cluster is unknown
    real = lastfm.LastfmClient.track_top_tags

    def mood_words_for_one(self, *, artist, track):
        if track == mood_only.name:
            self._call("track.getTopTags", artist=artist, track=track)
            return [("sad", 100), ("melancholy", 70), ("seen live", 40)]
        return real(self, artist=artist, track=track)

    monkeypatch.setattr(lastfm.LastfmClient, "track_top_tags", mood_words_for_one)
    Track.objects.filter(pk__in=ids).update(tag_cluster=LATIN)  # stale: every one is rewritten

    tags_fetch_run(user_id=user.pk)

    from_artist = []
    for track in tracks:
        track.refresh_from_db()
        own = _pairs(TrackTags.objects.get(track=track).tags)
        expected = cluster_of_tags(own)
        if expected is None and moods_from_tags(own) is None:  # the artist was asked
            artist = ArtistTags.objects.get(name=artist_key(first_artist(track)))
            expected = cluster_of_tags(_pairs(artist.tags))
            if not own:
                from_artist.append((track, expected))
        assert track.tag_cluster == expected, track
    assert mood_only.tag_cluster is None
    assert len([t for t in tracks if t.tag_cluster is not None]) > 0.8 * len(tracks)
    assert len({t.tag_cluster for t in tracks}) >= 4
    # Songs Last.fm has no tags for take their artist's family.
    assert from_artist
    assert all(cluster is not None for _, cluster in from_artist)


# The migration that backfills --------------------------------------------------------------------


BEFORE = [("library", "0003_librarysync_failure")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migration_backfills_clusters_from_track_then_artist_tags(monkeypatch) -> None:
    migration = importlib.import_module("library.migrations.0004_track_tag_cluster")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches for five tracks
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    TrackThen = old.get_model("library", "Track")
    Artist = old.get_model("library", "Artist")
    TrackTagsThen = old.get_model("library", "TrackTags")
    ArtistTagsThen = old.get_model("library", "ArtistTags")
    now = timezone.now()

    def track(name: str, artists: str, tags=None):
        made = TrackThen.objects.create(spotify_id=name, name=name, artist_names=artists)
        if tags is not None:
            TrackTagsThen.objects.create(track=made, tags=tags, fetched_at=now)
        return made.pk

    own = track("own", "Somebody", [["jazz", 100], ["seen live", 40]])
    moods_only = track("moods", "Tyler, The Creator, Kali", [["sad", 100], ["chill", 50]])
    TrackThen.objects.get(pk=moods_only).artists.add(
        Artist.objects.create(spotify_id="a1", name="Tyler, The Creator")
    )
    untagged = track("untagged", "Mogwai, Somebody")
    unknown = track("unknown", "Nobody Knows", [["favorites", 100]])
    nothing = track("nothing", "")
    ArtistTagsThen.objects.create(
        name="tyler, the creator", tags=[["Hip-Hop", 100], ["rap", 80]], fetched_at=now
    )
    ArtistTagsThen.objects.create(name="mogwai", tags=[["post-rock", 100]], fetched_at=now)
    ArtistTagsThen.objects.create(name="nobody knows", tags=[["seen live", 100]], fetched_at=now)

    _migrate([])

    assert dict(Track.objects.values_list("pk", "tag_cluster")) == {
        own: JAZZ,
        moods_only: HIP_HOP,  # its linked artist keeps the comma in "Tyler, The Creator"
        untagged: INDIE,  # never looked up: the text before the first comma, "Mogwai"
        unknown: None,
        nothing: None,
    }
