"""The stand-in's procedural catalogue and users: track i is computed from a fixed seed, so 10,000+
tracks cost nothing and every run sees the same music.

Each track has a hidden valence and energy (Spotify no longer gives apps audio features); its music
mood is the valence-arousal quadrant. `tracks_for_mood` lets the demo build curated mood playlists.
Indices from REAL_SONGS_BASE on are the real songs of ../shared/data/music_moods (real_songs.py),
which keep their real Spotify ids; the `real` listener's library is made of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache

SEED = "moodtrack-sandbox-2026"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ID_LENGTH = 22
INDEX_CHARS = 8  # the last 8 base-62 characters of an id carry its index
MAX_INDEX = 62**INDEX_CHARS
MOODS = ("happy", "energetic", "sad", "calm")
TIME_RANGES = ("short_term", "medium_term", "long_term")
SYNTHETIC_PREFIX = "synthetic-"
SYNTHETIC_MAX = 100_000
# `visitor-<token>`: one per demo visitor (demo/visitors.py), each with the demo listener's library.
VISITOR_PREFIX = "visitor-"
TRACKS_PER_ALBUM = 10
# Play history and "liked at" times count back from this instant, so every run sees the same data.
EPOCH = dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC)
# Tracks, artists and albums of the real songs (real_songs.py) have indices from here on.
REAL_SONGS_BASE = 100_000_000_000_000  # < MAX_INDEX
REAL_USER = "real"

_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "happy": (
        (
            "Sunlit",
            "Golden",
            "Bright",
            "Dancing",
            "Sweet",
            "Lucky",
            "Shining",
            "Summer",
            "Bubblegum",
        ),
        ("Parade", "Morning", "Balloons", "Sunday", "Carousel", "Daydream", "Fireflies", "Picnic"),
    ),
    "energetic": (
        ("Electric", "Burning", "Restless", "Wild", "Iron", "Thunder", "Neon", "Rapid", "Savage"),
        ("Engine", "Riot", "Pulse", "Voltage", "Storm", "Chase", "Sprint", "Adrenaline", "Rush"),
    ),
    "sad": (
        ("Grey", "Broken", "Fading", "Lonely", "Empty", "Cold", "Distant", "Silent", "Lost"),
        ("Letters", "Rain", "Winter", "Harbour", "Goodbye", "Echoes", "Ashes", "Shadows", "Tears"),
    ),
    "calm": (
        ("Quiet", "Gentle", "Soft", "Still", "Slow", "Velvet", "Misty", "Warm", "Drifting"),
        ("Lake", "Breeze", "Meadow", "Tide", "Clouds", "Lanterns", "Moss", "Evening", "Rivers"),
    ),
}
_FIRST_NAMES = ("Mara", "Jonah", "Ines", "Theo", "Alma", "Ravi", "Lena", "Oskar", "Noor", "Felix")
_LAST_NAMES = ("Lind", "Okafor", "Moreau", "Sato", "Varga", "Quinn", "Abara", "Holm", "Reyes")
_BAND_WORDS = ("Harbors", "Satellites", "Foxes", "Lanterns", "Engines", "Orchids", "Comets", "Owls")
_BAND_ADJECTIVES = ("Velvet", "Paper", "Midnight", "Copper", "Glass", "Northern", "Hollow", "Neon")
_ALBUM_WORDS = (
    "Atlas",
    "Postcards",
    "Blue Hour",
    "Field Notes",
    "Open Water",
    "Night Bus",
    "Orbit",
)


def _rng(kind: str, index: int | str) -> random.Random:
    # String seeds are hashed with SHA-512 by `random`: stable across processes and runs.
    return random.Random(f"{SEED}:{kind}:{index}")  # noqa: S311 - procedural data, not security


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars))


def _unbase62(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + BASE62.index(char)
    return number


# An affine bijection on [0, 62**8) scrambles the index part so ids do not end in zeros.
_SCRAMBLE_A = 1_580_030_173  # odd and not a multiple of 31: invertible modulo 62**8
_SCRAMBLE_B = 91_823_117_345
_UNSCRAMBLE_A = pow(_SCRAMBLE_A, -1, MAX_INDEX)


def make_id(kind: str, index: int) -> str:
    """A 22-character base-62 Spotify-style id that encodes `index` and looks random."""
    digest = int.from_bytes(hashlib.sha256(f"{SEED}:{kind}:{index}".encode()).digest()[:12])
    scrambled = (index * _SCRAMBLE_A + _SCRAMBLE_B) % MAX_INDEX
    return _base62(digest, ID_LENGTH - INDEX_CHARS) + _base62(scrambled, INDEX_CHARS)


def parse_id(kind: str, spotify_id: str) -> int | None:
    """The index behind an id made by `make_id(kind, ...)`, or None when it is not one of ours."""
    if len(spotify_id) != ID_LENGTH or not re.fullmatch(r"[0-9A-Za-z]+", spotify_id):
        return None
    scrambled = _unbase62(spotify_id[-INDEX_CHARS:])
    index = ((scrambled - _SCRAMBLE_B) * _UNSCRAMBLE_A) % MAX_INDEX
    if make_id(kind, index) == spotify_id:
        return index
    if kind == "track":  # a real song keeps its real Spotify id
        from spotify_sandbox import real_songs

        return real_songs.index_of(spotify_id)
    return None


def mood_of(valence: float, energy: float) -> str:
    """The valence-arousal quadrant: happy, energetic (tense), sad or calm."""
    if energy >= 0.5:
        return "happy" if valence >= 0.5 else "energetic"
    return "calm" if valence >= 0.5 else "sad"


@dataclass(frozen=True)
class Artist:
    index: int
    id: str
    name: str

    @property
    def uri(self) -> str:
        return f"spotify:artist:{self.id}"


@dataclass(frozen=True)
class Album:
    index: int
    id: str
    name: str
    artist: Artist
    release_date: str
    mood: str

    @property
    def uri(self) -> str:
        return f"spotify:album:{self.id}"


@dataclass(frozen=True)
class Track:
    """One catalogue track; `valence`, `energy` and `mood` are hidden from the Web API."""

    index: int
    id: str
    name: str
    artists: tuple[Artist, ...]
    album: Album
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    valence: float
    energy: float
    mood: str

    @property
    def uri(self) -> str:
        return f"spotify:track:{self.id}"


@lru_cache(maxsize=4096)
def artist(index: int) -> Artist:
    if index >= REAL_SONGS_BASE:
        from spotify_sandbox import real_songs

        if (found := real_songs.artist(index)) is not None:
            return found
    rng = _rng("artist", index)
    if rng.random() < 0.5:
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    else:
        name = f"The {rng.choice(_BAND_ADJECTIVES)} {rng.choice(_BAND_WORDS)}"
    return Artist(index=index, id=make_id("artist", index), name=name)


@lru_cache(maxsize=4096)
def album(index: int) -> Album:
    if index >= REAL_SONGS_BASE:
        from spotify_sandbox import real_songs

        if (found := real_songs.album(index)) is not None:
            return found
    rng = _rng("album", index)
    mood = rng.choice(MOODS)
    adjectives, nouns = _WORDS[mood]
    name = rng.choice((rng.choice(_ALBUM_WORDS), f"{rng.choice(adjectives)} {rng.choice(nouns)}"))
    released = dt.date(1990, 1, 1) + dt.timedelta(days=rng.randrange(36 * 365))
    return Album(
        index=index,
        id=make_id("album", index),
        name=name,
        artist=artist(index // 3),
        release_date=released.isoformat(),
        mood=mood,
    )


@lru_cache(maxsize=65536)
def track(index: int) -> Track:
    """Track `index` (0 <= index < 62**8) of the catalogue, always the same."""
    if not 0 <= index < MAX_INDEX:
        raise ValueError(f"no track {index}")
    if index >= REAL_SONGS_BASE:
        from spotify_sandbox import real_songs

        if (found := real_songs.track(index)) is not None:
            return found
    rng = _rng("track", index)
    the_album = album(index // TRACKS_PER_ALBUM)
    # Albums lean towards one mood; tracks scatter around it.
    centre = {"happy": (0.75, 0.75), "energetic": (0.3, 0.8), "sad": (0.25, 0.25)}.get(
        the_album.mood, (0.7, 0.3)
    )
    valence = round(min(1.0, max(0.0, rng.gauss(centre[0], 0.18))), 3)
    energy = round(min(1.0, max(0.0, rng.gauss(centre[1], 0.18))), 3)
    mood = mood_of(valence, energy)
    adjectives, nouns = _WORDS[mood]
    name = f"{rng.choice(adjectives)} {rng.choice(nouns)}"
    if rng.random() < 0.15:
        name += f" ({rng.choice(('Acoustic', 'Live', 'Night Version', 'Reprise'))})"
    artists = [the_album.artist]
    if rng.random() < 0.2:
        artists.append(artist(rng.randrange(max(1, index // 3 + 50))))
    year = int(the_album.release_date[:4]) % 100
    return Track(
        index=index,
        id=make_id("track", index),
        name=name,
        artists=tuple(dict.fromkeys(artists)),
        album=the_album,
        track_number=index % TRACKS_PER_ALBUM + 1,
        duration_ms=rng.randrange(140_000, 330_000),
        explicit=rng.random() < 0.08,
        isrc=f"ZZMTK{year:02d}{index % 100_000:05d}",
        valence=valence,
        energy=energy,
        mood=mood,
    )


def track_by_id(spotify_id: str) -> Track | None:
    index = parse_id("track", spotify_id)
    found = None if index is None else track(index)
    # A made-up id in the real songs' range decodes to a real song, which has another id.
    return found if found is not None and found.id == spotify_id else None


def artist_by_id(spotify_id: str) -> Artist | None:
    index = parse_id("artist", spotify_id)
    return None if index is None else artist(index)


def album_by_id(spotify_id: str) -> Album | None:
    index = parse_id("album", spotify_id)
    return None if index is None else album(index)


def tracks_for_mood(mood: str, n: int, *, start: int = 0, pool: int = 600) -> list[Track]:
    """The first `n` tracks of mood `mood` in the demo catalogue (tracks start..start+pool)."""
    if mood not in MOODS:
        raise ValueError(f"unknown mood {mood!r}; choose one of {', '.join(MOODS)}")
    found = [track(i) for i in range(start, start + pool) if track(i).mood == mood]
    return found[:n]


# Users ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaylistSpec:
    """A playlist of the catalogue (playlists created through the API live in the database)."""

    key: str
    owner: str
    name: str
    description: str
    track_indices: tuple[int, ...]
    collaborators: tuple[str, ...] = ()
    public: bool = False

    @property
    def id(self) -> str:
        return make_id("playlist", _playlist_number(self.key))

    @property
    def collaborative(self) -> bool:
        return bool(self.collaborators)

    @property
    def snapshot_id(self) -> str:
        return hashlib.sha256(f"{SEED}:{self.key}:{self.track_indices}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class SandboxUser:
    """A stand-in Spotify account and its procedural library (newest liked first)."""

    id: str
    display_name: str
    liked: tuple[int, ...]
    top: dict[str, tuple[int, ...]] = field(default_factory=dict)
    recent: tuple[int, ...] = ()
    playlist_keys: tuple[str, ...] = ()
    demo: bool = True
    extra_playlists: tuple[PlaylistSpec, ...] = ()  # playlists not in PLAYLISTS (real_songs.py)

    @property
    def uri(self) -> str:
        return f"spotify:user:{self.id}"

    @property
    def account_id(self) -> str:
        return make_id("account", _playlist_number(f"user:{self.id}"))[:10]

    def liked_at(self, position: int) -> dt.datetime:
        """When the liked track at `position` (0 = newest) was saved."""
        return EPOCH - dt.timedelta(hours=6 * position + 1)

    def played_at(self, position: int) -> dt.datetime:
        """When the recently played track at `position` (0 = most recent) was played."""
        return EPOCH - dt.timedelta(minutes=37 * position + 5)

    @property
    def playlists(self) -> list[PlaylistSpec]:
        return [PLAYLISTS[key] for key in self.playlist_keys] + list(self.extra_playlists)


def _playlist_number(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:5]) % MAX_INDEX


def _sample(kind: str, population: range, k: int, *, mood_bias: str | None = None) -> tuple:
    rng = _rng(kind, "sample")
    chosen = list(population)
    if mood_bias:
        # Put tracks of the favourite mood first, the rest after, both shuffled.
        favourite = [i for i in chosen if track(i).mood == mood_bias]
        others = [i for i in chosen if track(i).mood != mood_bias]
        rng.shuffle(favourite)
        rng.shuffle(others)
        chosen = favourite[: k // 2] + others
        chosen = chosen[:k]
        rng.shuffle(chosen)
        return tuple(chosen)
    rng.shuffle(chosen)
    return tuple(chosen[:k])


def _demo_users() -> dict[str, SandboxUser]:
    demo_liked = _sample("demo-liked", range(0, 600), 300)
    alex_liked = _sample("alex-liked", range(200, 800), 150, mood_bias="energetic")
    sam_liked = _sample("sam-liked", range(100, 500), 80, mood_bias="sad")

    def tops(kind: str, liked: tuple, extra: range) -> dict[str, tuple[int, ...]]:
        # Top tracks are mostly liked songs plus a few the listener plays but never saved.
        pool = list(liked[:120]) + list(_sample(f"{kind}-extra", extra, 40))
        return {
            time_range: tuple(
                pool[j] for j in _sample(f"{kind}-{time_range}", range(len(pool)), 50)
            )
            for time_range in TIME_RANGES
        }

    return {
        "demo": SandboxUser(
            id="demo",
            display_name="Demo Listener",
            liked=demo_liked,
            top=tops("demo", demo_liked, range(600, 700)),
            recent=_sample("demo-recent", range(0, 700), 50),
            playlist_keys=("demo-run", "demo-rain", "demo-focus", "alex-road-trip", "alex-party"),
        ),
        "alex": SandboxUser(
            id="alex",
            display_name="Alex Rivera",
            liked=alex_liked,
            top=tops("alex", alex_liked, range(800, 900)),
            recent=_sample("alex-recent", range(200, 900), 50),
            playlist_keys=("alex-road-trip", "alex-party"),
        ),
        "sam": SandboxUser(
            id="sam",
            display_name="Sam Okafor",
            liked=sam_liked,
            top=tops("sam", sam_liked, range(500, 600)),
            recent=_sample("sam-recent", range(100, 600), 30),
            playlist_keys=("sam-blue",),
        ),
    }


def _playlists() -> dict[str, PlaylistSpec]:
    def mood_tracks(mood: str, n: int, start: int) -> tuple[int, ...]:
        return tuple(t.index for t in tracks_for_mood(mood, n, start=start))

    specs = [
        PlaylistSpec("demo-run", "demo", "Morning Run", "Fast songs for early miles.",
                     mood_tracks("energetic", 40, 0)),
        PlaylistSpec("demo-rain", "demo", "Rainy Day", "Staying in.", mood_tracks("sad", 35, 0)),
        PlaylistSpec("demo-focus", "demo", "Focus", "Quiet work music.",
                     mood_tracks("calm", 60, 0)),
        PlaylistSpec("alex-road-trip", "alex", "Road Trip", "Alex and Demo's driving songs.",
                     mood_tracks("happy", 30, 100), collaborators=("demo",)),
        PlaylistSpec("alex-party", "alex", "Alex's Party Mix", "Followed by friends.",
                     mood_tracks("happy", 45, 300), public=True),
        PlaylistSpec("sam-blue", "sam", "Blue", "", mood_tracks("sad", 25, 200)),
    ]  # fmt: skip
    return {spec.key: spec for spec in specs}


PLAYLISTS: dict[str, PlaylistSpec] = _playlists()
DEMO_USERS: dict[str, SandboxUser] = _demo_users()
_PLAYLISTS_BY_ID = {spec.id: spec for spec in PLAYLISTS.values()}


def playlist_spec(playlist_id: str) -> PlaylistSpec | None:
    found = _PLAYLISTS_BY_ID.get(playlist_id)
    if found is None:
        from spotify_sandbox import real_songs

        found = real_songs.playlist_spec(playlist_id)
    return found


def listeners() -> list[SandboxUser]:
    """The named listeners one can sign in as: demo, alex, sam and real."""
    return [*DEMO_USERS.values(), user(REAL_USER)]


def user(user_id: str) -> SandboxUser | None:
    """A demo user (demo, alex, sam), `real` (real songs, read on first use), `synthetic-<N>`
    whose library is N liked tracks, or `visitor-<token>` (a demo visitor's own account)."""
    if user_id == REAL_USER:
        from spotify_sandbox import real_songs

        return real_songs.listener()
    return _user(user_id)


@lru_cache(maxsize=64)
def _user(user_id: str) -> SandboxUser | None:
    if user_id in DEMO_USERS:
        return DEMO_USERS[user_id]
    if re.fullmatch(rf"{VISITOR_PREFIX}[a-z0-9]{{6,32}}", user_id):
        demo = DEMO_USERS["demo"]
        # The demo listener's songs under an account of the visitor's own; the playlists a visitor
        # owns are created through the API (they live in the database), so none are listed here.
        return SandboxUser(
            id=user_id,
            display_name="Demo Visitor",
            liked=demo.liked,
            top=demo.top,
            recent=demo.recent,
        )
    match = re.fullmatch(rf"{SYNTHETIC_PREFIX}([1-9][0-9]*|0)", user_id)
    if not match or int(match.group(1)) > SYNTHETIC_MAX:
        return None
    size = int(match.group(1))
    # Synthetic libraries start past the demo catalogue so they do not collide with demo playlists.
    liked = tuple(range(1000, 1000 + size))
    return SandboxUser(
        id=user_id,
        display_name=f"Synthetic listener ({size:,} songs)",
        liked=liked,
        top=dict.fromkeys(TIME_RANGES, liked[:50]),
        recent=liked[:20],
        demo=False,
    )
