"""What the Last.fm stand-in knows: real tags of the shared songs, generated tags for the rest.

(a) The real crowd tags of ../shared/data/music_moods/tracks.csv (setting MUSIC_MOODS_CSV, read on
first use, never copied into the repository); an artist's tags are the aggregate of its songs'.
Without the file this part is empty.
(b) Generated tags for the Spotify stand-in's procedural catalogue (spotify_sandbox/catalogue.py),
found by artist and title, with Last.fm's gaps: deterministic per track, about 5 % of tracks are
unknown (error 6), about 15 % have no tags of their own (their artist has), and the rest have 3 to
10 tags mixing mood words of the track's hidden mood, genre words and junk ("seen live", "2010s").
Look-ups ignore case and repeated spaces, as Last.fm's do.
"""

from __future__ import annotations

import ast
import csv
import random
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spotify_sandbox import catalogue, real_songs

Tag = tuple[str, int]  # (name, count 0-100; the top tag has 100)

UNKNOWN_SHARE = 0.05  # procedural tracks Last.fm has never heard of
UNTAGGED_SHARE = 0.15  # procedural tracks it knows without tags
MAX_ARTIST_TAGS = 100  # artist.getTopTags answers at most this many

MOOD_TAGS = {
    "happy": ("happy", "upbeat", "feel good", "cheerful", "fun", "sunny", "uplifting"),
    "energetic": ("aggressive", "energetic", "angry", "intense", "dark", "heavy", "pumped up"),
    "sad": ("sad", "melancholy", "melancholic", "depressing", "heartbreak", "lonely", "rainy day"),
    "calm": ("chill", "relaxing", "mellow", "calm", "peaceful", "chillout", "soothing"),
}
GENRE_TAGS = {
    "happy": ("pop", "indie pop", "dance", "disco", "funk", "synthpop"),
    "energetic": ("metal", "hard rock", "punk", "hardcore", "industrial", "metalcore"),
    "sad": ("acoustic", "singer-songwriter", "slowcore", "indie folk", "piano", "emo"),
    "calm": ("ambient", "acoustic", "jazz", "downtempo", "lo-fi", "folk"),
}
COMMON_GENRES = ("rock", "indie", "alternative", "electronic", "female vocalists", "male vocalists")
JUNK_TAGS = (
    "seen live",
    "favorites",
    "albums I own",
    "2010s",
    "00s",
    "favourite songs",
    "love at first listen",
    "check out",
    "my top songs",
    "spotify",
)

# Procedural tracks that libraries use: the demo listeners' (0-999) and synthetic-N's (from 1000).
_SYNTHETIC_END = 1000 + catalogue.SYNTHETIC_MAX
# Artists of those tracks: album artists (index // 30) and featured ones (< index // 3 + 50).
_ARTIST_END = _SYNTHETIC_END // 3 + 50


def normalise(text: str) -> str:
    """The look-up form of a name: NFKC, case-folded, spaces collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip().casefold()


@dataclass(frozen=True)
class TrackTags:
    artist: str  # the names as Last.fm spells them (its answers echo these)
    track: str
    tags: tuple[Tag, ...]


@dataclass(frozen=True)
class ArtistTags:
    artist: str
    tags: tuple[Tag, ...]


# (a) The real songs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _RealTags:
    tracks: dict[tuple[str, str], TrackTags] = field(default_factory=dict)
    by_mbid: dict[str, TrackTags] = field(default_factory=dict)
    artists: dict[str, ArtistTags] = field(default_factory=dict)


def _normalised_counts(weights: Counter[str], spelling: dict[str, str], limit: int) -> tuple:
    if not weights:
        return ()
    top = max(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return tuple((spelling[key], round(100 * weight / top)) for key, weight in ranked)


@lru_cache(maxsize=4)
def _real(path: str) -> _RealTags:
    source = Path(path)
    if not source.is_file():
        return _RealTags()
    tracks: dict[tuple[str, str], TrackTags] = {}
    by_mbid: dict[str, TrackTags] = {}
    artist_names: dict[str, str] = {}
    artist_weights: dict[str, Counter[str]] = {}
    spelling: dict[str, str] = {}
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names = [str(name).strip() for name in ast.literal_eval(row["tags"] or "[]")]
            weights = [int(weight) for weight in ast.literal_eval(row["weights"] or "[]")]
            tags = tuple(
                (name, max(0, min(100, weight)))
                for name, weight in zip(names, weights, strict=False)
                if name
            )
            found = TrackTags(artist=row["artist"].strip(), track=row["track"].strip(), tags=tags)
            artist_key = normalise(found.artist)
            tracks[(artist_key, normalise(found.track))] = found
            if row.get("mbid"):
                by_mbid[row["mbid"].strip().lower()] = found
            artist_names.setdefault(artist_key, found.artist)
            counter = artist_weights.setdefault(artist_key, Counter())
            for name, weight in tags:
                spelling.setdefault(name.casefold(), name)
                counter[name.casefold()] += weight
    artists = {
        key: ArtistTags(
            artist=artist_names[key],
            tags=_normalised_counts(artist_weights[key], spelling, MAX_ARTIST_TAGS),
        )
        for key in artist_names
    }
    return _RealTags(tracks=tracks, by_mbid=by_mbid, artists=artists)


def _real_tags() -> _RealTags:
    return _real(str(real_songs.csv_path()))


# (b) The procedural catalogue ------------------------------------------------------------------


class _ProceduralIndex:
    """(artist, title) -> the lowest catalogue index with them, built lazily in growing chunks."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tracks: dict[tuple[str, str], int] = {}
        self._built = 0
        self._artists: dict[str, int] | None = None

    def artist_index(self, artist_key: str) -> int | None:
        with self._lock:
            if self._artists is None:
                self._artists = {}
                for index in range(_ARTIST_END):
                    self._artists.setdefault(normalise(catalogue.artist(index).name), index)
            return self._artists.get(artist_key)

    def track_index(self, artist_key: str, title_key: str) -> int | None:
        if self.artist_index(artist_key) is None:
            return None  # not a catalogue artist: no need to look through the tracks
        with self._lock:
            while True:
                found = self._tracks.get((artist_key, title_key))
                if found is not None or self._built >= _SYNTHETIC_END:
                    return found
                end = min(_SYNTHETIC_END, max(1000, self._built * 2))
                for index in range(self._built, end):
                    track = catalogue.track(index)
                    key = (normalise(track.artists[0].name), normalise(track.name))
                    self._tracks.setdefault(key, index)
                self._built = end


_PROCEDURAL = _ProceduralIndex()


def _rng(kind: str, key: str) -> random.Random:
    return random.Random(f"lastfm-sandbox:{kind}:{key}")  # noqa: S311 - made-up data, not security


def _counts(rng: random.Random, names: list[str]) -> tuple[Tag, ...]:
    """Descending counts, the first 100, as Last.fm weighs a track's tags."""
    tags, count = [], 100.0
    for name in names:
        tags.append((name, max(1, round(count))))
        count *= rng.uniform(0.45, 0.95)
    return tuple(tags)


def _procedural_track_tags(track: catalogue.Track, key: str) -> tuple[Tag, ...] | None:
    """None: unknown to Last.fm; (): known, no tags; else 3-10 tags."""
    rng = _rng("track", key)
    roll = rng.random()
    if roll < UNKNOWN_SHARE:
        return None
    if roll < UNKNOWN_SHARE + UNTAGGED_SHARE:
        return ()
    scored = [(rng.random() + 0.6, name) for name in rng.sample(GENRE_TAGS[track.mood], 2)]
    scored += [(rng.random() + 0.3, name) for name in rng.sample(MOOD_TAGS[track.mood], 2)]
    scored += [(rng.random() + 0.2, rng.choice(COMMON_GENRES))]
    scored += [(rng.random(), name) for name in rng.sample(JUNK_TAGS, 3)]
    if rng.random() < 0.15:  # crowds disagree: a mood word of another mood
        other = rng.choice([mood for mood in catalogue.MOODS if mood != track.mood])
        scored.append((rng.random(), rng.choice(MOOD_TAGS[other])))
    ranked = list(dict.fromkeys(name for _, name in sorted(scored, reverse=True)))
    size = rng.randint(3, 10)
    chosen = ranked[:size]
    # Every tagged track says something about its mood and something useless, as real ones do.
    if not any(name in MOOD_TAGS[track.mood] for name in chosen):
        chosen[-1] = rng.choice(MOOD_TAGS[track.mood])
    if not any(name in JUNK_TAGS for name in chosen) and size > 3:
        spot = max(i for i, name in enumerate(chosen) if name not in MOOD_TAGS[track.mood])
        chosen[spot] = rng.choice(JUNK_TAGS)
    return _counts(rng, list(dict.fromkeys(chosen)))


def _procedural_artist_tags(artist_index: int, key: str) -> tuple[Tag, ...]:
    """From the moods of the artist's albums: genre words mostly, a mood word, some junk."""
    rng = _rng("artist", key)
    moods = Counter(catalogue.album(artist_index * 3 + k).mood for k in range(3))
    weights: Counter[str] = Counter()
    for mood, albums in moods.items():
        for name in rng.sample(GENRE_TAGS[mood], 2):
            weights[name] += albums * rng.uniform(0.6, 1.0)
        weights[rng.choice(MOOD_TAGS[mood])] += albums * rng.uniform(0.2, 0.5)
    weights[rng.choice(COMMON_GENRES)] += rng.uniform(0.5, 1.5)
    weights["seen live"] += rng.uniform(0.1, 0.6)
    weights[rng.choice(JUNK_TAGS)] += rng.uniform(0.05, 0.3)
    return _normalised_counts(weights, {name: name for name in weights}, MAX_ARTIST_TAGS)


# Look-ups --------------------------------------------------------------------------------------


def track_top_tags(*, artist: str = "", track: str = "", mbid: str = "") -> TrackTags | None:
    """A track's top tags (possibly none), or None when Last.fm would not know the track."""
    real = _real_tags()
    if mbid and (found := real.by_mbid.get(mbid.strip().lower())) is not None:
        return found
    artist_key, title_key = normalise(artist), normalise(track)
    if not artist_key or not title_key:
        return None
    if (found := real.tracks.get((artist_key, title_key))) is not None:
        return found
    index = _PROCEDURAL.track_index(artist_key, title_key)
    if index is None:
        return None
    song = catalogue.track(index)
    tags = _procedural_track_tags(song, f"{artist_key}|{title_key}")
    if tags is None:
        return None
    return TrackTags(artist=song.artists[0].name, track=song.name, tags=tags)


def artist_top_tags(*, artist: str = "") -> ArtistTags | None:
    """An artist's top tags, or None when Last.fm would not know the artist."""
    key = normalise(artist)
    if not key:
        return None
    if (found := _real_tags().artists.get(key)) is not None:
        return found
    index = _PROCEDURAL.artist_index(key)
    if index is None:
        return None
    return ArtistTags(artist=catalogue.artist(index).name, tags=_procedural_artist_tags(index, key))
