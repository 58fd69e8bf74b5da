"""Real songs in the stand-in's catalogue, and the `real` listener whose library is made of them.

The songs are the rows of ../shared/data/music_moods/tracks.csv (setting MUSIC_MOODS_CSV), read on
first use and never copied into the repository: each keeps its real Spotify id, title and artist;
its hidden valence and energy are the file's Spotify audio features (never served, like the
procedural tracks' ones). Album, ISRC and duration are made up. Their catalogue indices (and their
artists' and albums') start at `catalogue.REAL_SONGS_BASE`, far past the procedural catalogue.
Without the file there are no real songs and `real`'s library is made of procedural tracks.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from spotify_sandbox import catalogue

REAL_USER = catalogue.REAL_USER
DEFAULT_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "music_moods" / "tracks.csv"


@dataclass(frozen=True)
class RealSong:
    spotify_id: str
    title: str
    artist: str
    mbid: str
    valence: float
    energy: float


@dataclass(frozen=True)
class _Loaded:
    songs: tuple[RealSong, ...] = ()
    by_id: dict[str, int] = field(default_factory=dict)  # spotify id -> song number
    artist_of: tuple[int, ...] = ()  # song number -> artist number
    artist_names: tuple[str, ...] = ()  # artist number -> name (first spelling seen)


def csv_path() -> Path:
    """Where the real songs are read from (setting MUSIC_MOODS_CSV)."""
    return Path(getattr(settings, "MUSIC_MOODS_CSV", None) or DEFAULT_CSV)


@lru_cache(maxsize=4)
def _load(path: str) -> _Loaded:
    source = Path(path)
    if not source.is_file():
        return _Loaded()
    songs: list[RealSong] = []
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            try:
                valence, energy = float(row["valence"]), float(row["energy"])
            except (KeyError, TypeError, ValueError):
                valence = energy = 0.5
            songs.append(
                RealSong(
                    spotify_id=row["spotify_id"].strip(),
                    title=row["track"].strip(),
                    artist=row["artist"].strip(),
                    mbid=(row.get("mbid") or "").strip(),
                    valence=valence,
                    energy=energy,
                )
            )
    numbers: dict[str, int] = {}
    names: list[str] = []
    artist_of = []
    for song in songs:
        key = song.artist.casefold()
        if key not in numbers:
            numbers[key] = len(names)
            names.append(song.artist)
        artist_of.append(numbers[key])
    return _Loaded(
        songs=tuple(songs),
        by_id={song.spotify_id: number for number, song in enumerate(songs)},
        artist_of=tuple(artist_of),
        artist_names=tuple(names),
    )


def _loaded() -> _Loaded:
    return _load(str(csv_path()))


def songs() -> tuple[RealSong, ...]:
    """The real songs, in the file's order (empty when the file is absent)."""
    return _loaded().songs


def indices() -> list[int]:
    """The catalogue indices of the real songs."""
    return [catalogue.REAL_SONGS_BASE + number for number in range(len(songs()))]


def index_of(spotify_id: str) -> int | None:
    """The catalogue index of the real song with this Spotify id, or None."""
    number = _loaded().by_id.get(spotify_id)
    return None if number is None else catalogue.REAL_SONGS_BASE + number


def _number(index: int, size: int) -> int | None:
    number = index - catalogue.REAL_SONGS_BASE
    return number if 0 <= number < size else None


def artist(index: int) -> catalogue.Artist | None:
    loaded = _loaded()
    number = _number(index, len(loaded.artist_names))
    if number is None:
        return None
    return catalogue.Artist(
        index=index, id=catalogue.make_id("artist", index), name=loaded.artist_names[number]
    )


def _rng(kind: str, key: object) -> random.Random:
    return random.Random(f"{catalogue.SEED}:real:{kind}:{key}")  # noqa: S311 - made-up metadata


def album(index: int) -> catalogue.Album | None:
    """Each real song is its own single: the album has the song's title."""
    loaded = _loaded()
    number = _number(index, len(loaded.songs))
    if number is None:
        return None
    song = loaded.songs[number]
    released = dt.date(1965, 1, 1) + dt.timedelta(
        days=_rng("album", song.spotify_id).randrange(55 * 365)
    )
    return catalogue.Album(
        index=index,
        id=catalogue.make_id("album", index),
        name=song.title,
        artist=artist(catalogue.REAL_SONGS_BASE + loaded.artist_of[number]),
        release_date=released.isoformat(),
        mood=catalogue.mood_of(song.valence, song.energy),
    )


def track(index: int) -> catalogue.Track | None:
    loaded = _loaded()
    number = _number(index, len(loaded.songs))
    if number is None:
        return None
    song = loaded.songs[number]
    the_album = album(index)
    rng = _rng("track", song.spotify_id)
    return catalogue.Track(
        index=index,
        id=song.spotify_id,
        name=song.title,
        artists=(the_album.artist,),
        album=the_album,
        track_number=1,
        duration_ms=rng.randrange(150_000, 320_000),
        explicit=False,
        isrc=f"ZZMTR26{number:05d}",
        valence=song.valence,
        energy=song.energy,
        mood=catalogue.mood_of(song.valence, song.energy),
    )


# The `real` listener ---------------------------------------------------------------------------

# (key, name, description, favoured moods): mood-ish names, as listeners name their playlists.
_PLAYLISTS = (
    ("real-rainy-days", "rainy days", "", ("sad", "calm")),
    ("real-gym", "gym", "lift heavy", ("energetic", "happy")),
    ("real-sunday", "sunday morning coffee", "slow start", ("calm",)),
    ("real-2019", "2019 faves", "", ()),
)


def _playlist_tracks(pool: list[int], moods: tuple[str, ...], n: int, key: str) -> tuple[int, ...]:
    """About 70 % of songs of the favoured moods, the rest anything: real playlists are loose."""
    rng = _rng("playlist", key)
    fitting = [i for i in pool if catalogue.track(i).mood in moods] if moods else []
    rng.shuffle(fitting)
    chosen = fitting[: int(n * 0.7)]
    taken = set(chosen)
    others = [i for i in pool if i not in taken]
    rng.shuffle(others)
    chosen += others[: n - len(chosen)]
    rng.shuffle(chosen)
    return tuple(chosen)


def _listener(loaded: _Loaded) -> catalogue.SandboxUser:
    rng = _rng("listener", len(loaded.songs))
    real = [catalogue.REAL_SONGS_BASE + number for number in range(len(loaded.songs))]
    rng.shuffle(real)
    if real:
        # Mostly real songs, a few procedural ones (some of which Last.fm knows little about).
        liked_real, unsaved = real[:320], real[320:]
        procedural = rng.sample(range(0, 900), 40)
        liked = liked_real + procedural
        rng.shuffle(liked)
    else:  # no shared data: a procedural library, so nothing that asks for `real` breaks
        liked = rng.sample(range(0, 900), 200)
        unsaved = rng.sample(range(900, 1000), 40)
    pool = liked[:150] + unsaved[:40]
    top = {time_range: tuple(rng.sample(pool, 50)) for time_range in catalogue.TIME_RANGES}
    recent = tuple(rng.sample(pool, 50))
    playlist_pool = list(real) or liked + unsaved  # only real songs, when there are any
    playlists = tuple(
        catalogue.PlaylistSpec(
            key=key,
            owner=REAL_USER,
            name=name,
            description=description,
            track_indices=_playlist_tracks(playlist_pool, moods, 30, key),
        )
        for key, name, description, moods in _PLAYLISTS
    )
    return catalogue.SandboxUser(
        id=REAL_USER,
        display_name="Robin (real songs)",
        liked=tuple(liked),
        top=top,
        recent=recent,
        extra_playlists=playlists,
    )


@lru_cache(maxsize=4)
def _listener_for(path: str) -> catalogue.SandboxUser:
    return _listener(_load(path))


def listener() -> catalogue.SandboxUser:
    """The `real` listener: real songs when the shared data is there, procedural ones otherwise."""
    return _listener_for(str(csv_path()))


def playlist_spec(playlist_id: str) -> catalogue.PlaylistSpec | None:
    return next((spec for spec in listener().extra_playlists if spec.id == playlist_id), None)
