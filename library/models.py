"""The listener's library: tracks, artists, playlists, library entries, sync runs and mood evidence.

Moved from `recommendations` with their tables (db_table keeps the old names).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Mood(models.TextChoices):
    """Music moods: the four valence-arousal quadrants."""

    HAPPY = "happy", "Happy"
    ENERGETIC = "energetic", "Energetic"
    SAD = "sad", "Sad"
    CALM = "calm", "Calm"


class Artist(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)

    class Meta:
        db_table = "recommendations_artist"

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    artists = models.ManyToManyField(Artist, related_name="tracks", blank=True)
    artist_names = models.CharField(max_length=500, blank=True, help_text="For display.")
    album_name = models.CharField(max_length=300, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    uri = models.CharField(max_length=100, blank=True)
    isrc = models.CharField(max_length=20, blank=True)
    tag_cluster = models.SmallIntegerField(
        null=True,
        blank=True,
        help_text=(
            "Genre family from Last.fm tags (the song's own, else its first artist's): an index "
            "into library.tagclusters.CLUSTERS; empty when unknown."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "recommendations_track"

    def __str__(self) -> str:
        return f"{self.name} — {self.artist_names}" if self.artist_names else self.name

    @property
    def open_url(self) -> str:
        return f"https://open.spotify.com/track/{self.spotify_id}"


class LibraryEntry(models.Model):
    """A track in one user's library, with every way it got there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="library_entries")
    liked = models.BooleanField(default=False)
    top_short = models.BooleanField(default=False)
    top_medium = models.BooleanField(default=False)
    top_long = models.BooleanField(default=False)
    recent = models.BooleanField(default=False)
    playlist = models.BooleanField(default=False)
    liked_at = models.DateTimeField(null=True, blank=True)
    last_played_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SOURCE_FIELDS = ("liked", "top_short", "top_medium", "top_long", "recent", "playlist")

    class Meta:
        db_table = "recommendations_libraryentry"
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="library_entry_unique")
        ]
        verbose_name_plural = "library entries"

    def __str__(self) -> str:
        return f"{self.user} · {self.track}"

    @property
    def sources(self) -> list[str]:
        return [name for name in self.SOURCE_FIELDS if getattr(self, name)]


class LibrarySync(models.Model):
    """Progress and outcome of a user's library sync, shown in the UI."""

    class Status(models.TextChoices):
        NEVER = "never", "Not synced yet"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Syncing"
        PAUSED = "paused", "Paused (Spotify rate limit)"
        DONE = "done", "Synced"
        FAILED = "failed", "Failed"
        REAUTH = "reauth", "Spotify sign-in needed"

    class Failure(models.TextChoices):
        NONE = "", "—"
        REFUSED = "refused", "Spotify refused this account (403)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_sync"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    # Why the last run failed, when staff must act: every Spotify call answered 403 (listener not
    # on the app's allow-list, or the app owner's Premium lapsed).
    failure = models.CharField(max_length=10, choices=Failure.choices, default="", blank=True)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    track_count = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "recommendations_librarysync"

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class MoodPlaylist(models.Model):
    """A curator's playlist: every track in it is evidence for its mood."""

    class ImportStatus(models.TextChoices):
        NONE = "", "Not imported"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=200)
    mood = models.CharField(max_length=10, choices=Mood.choices)
    description = models.TextField(blank=True)
    spotify_playlist_id = models.CharField(max_length=64, blank=True)
    tracks: models.ManyToManyField[Track, MoodPlaylistTrack] = models.ManyToManyField(
        Track, through="MoodPlaylistTrack", related_name="mood_playlists"
    )
    import_status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.NONE, blank=True
    )
    import_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "recommendations_moodplaylist"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_mood_display()})"


class MoodPlaylistTrack(models.Model):
    playlist = models.ForeignKey(MoodPlaylist, on_delete=models.CASCADE, related_name="entries")
    track = models.ForeignKey(Track, on_delete=models.CASCADE)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "recommendations_moodplaylisttrack"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["playlist", "track"], name="mood_playlist_track_unique")
        ]

    def __str__(self) -> str:
        return f"{self.playlist_id} #{self.position}: {self.track_id}"


class TrackMood(models.Model):
    """Evidence that a track has a mood; its mood distribution is the weighted mix of these.

    Rows without a user are everyone's (curated, tags, ratings, audio); rows with a user are that
    listener's own (their quick sort, their playlists' names) and count only for them.
    """

    class Source(models.TextChoices):
        SORTED = "sorted", "Your quick sort"
        PLAYLISTS = "playlists", "Your playlists"
        CURATED = "curated", "Curated playlist"
        TAGS = "tags", "Last.fm track tags"
        RATINGS = "ratings", "Listener ratings"
        ARTIST_TAGS = "artist_tags", "Last.fm artist tags"
        AUDIO = "audio", "Audio features"

    PERSONAL_SOURCES = (Source.SORTED, Source.PLAYLISTS)

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="moods")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="track_moods",
        help_text="Set for a listener's own evidence (quick sort, playlist names).",
    )
    mood = models.CharField(max_length=10, choices=Mood.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    score = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    weight = models.FloatField(default=1.0, validators=[MinValueValidator(0.0)])
    detail = models.CharField(
        max_length=200, blank=True, help_text="What the evidence rests on, for the song's reason."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "recommendations_trackmood"
        constraints = [
            models.UniqueConstraint(
                fields=["track", "mood", "source"],
                condition=models.Q(user__isnull=True),
                name="track_mood_unique",
            ),
            models.UniqueConstraint(
                fields=["track", "mood", "source", "user"],
                condition=models.Q(user__isnull=False),
                name="track_mood_personal_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track_id} {self.mood} ({self.source}) {self.score:.2f}"


class TrackTags(models.Model):
    """Last.fm's top tags of a track, cached with the time they were fetched."""

    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="lastfm_tags")
    tags = models.JSONField(default=list, blank=True, help_text="[[name, count 0-100], ...]")
    found = models.BooleanField(default=True, help_text="False: Last.fm does not know the track.")
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"tags of {self.track_id}"


class ArtistTags(models.Model):
    """Last.fm's top tags of an artist (by normalised name), cached with their fetch time."""

    name = models.CharField(max_length=300, unique=True)
    tags = models.JSONField(default=list, blank=True)
    found = models.BooleanField(default=True)
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "artist tags"

    def __str__(self) -> str:
        return f"tags of {self.name}"


class TagFetch(models.Model):
    """Progress of a listener's tag look-ups on Last.fm, shown on the library page."""

    class Status(models.TextChoices):
        NEVER = "never", "Not started"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Looking up tags"
        PAUSED = "paused", "Paused (Last.fm rate limit)"
        DONE = "done", "Tags up to date"
        OFF = "off", "Last.fm is not configured"
        FAILED = "failed", "Failed"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_fetch"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEVER)
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class LibraryPlaylist(models.Model):
    """One of the listener's own Spotify playlists, as last synced; its name is mood evidence."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_playlists"
    )
    spotify_id = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    tracks = models.ManyToManyField(Track, related_name="library_playlists", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "spotify_id"], name="library_playlist_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
