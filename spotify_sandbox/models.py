"""State of the Spotify stand-in: codes, tokens, playlists and saves made through it, fault rules.

The catalogue and the users' libraries are procedural (see catalogue.py); only what the protocol
creates or what a test asks for is stored. Codes and tokens are stored as SHA-256 hashes.
"""

from django.db import models


class AuthorizationCode(models.Model):
    """A single-use code from /authorize, bound to its client, redirect URI, user and scopes."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.CharField(max_length=500)
    spotify_user = models.CharField(max_length=100)
    scope = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.spotify_user} ({'used' if self.used_at else 'unused'})"


class Token(models.Model):
    """An access or refresh token the stand-in issued."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Access token"
        REFRESH = "refresh", "Refresh token"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    spotify_user = models.CharField(max_length=100, db_index=True)
    scope = models.CharField(max_length=500, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # Refresh tokens die six months after the user agreed, however often they are used.
    authorized_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    code = models.ForeignKey(
        AuthorizationCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="tokens"
    )

    def __str__(self) -> str:
        return f"{self.kind} token for {self.spotify_user}"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.split())


class Playlist(models.Model):
    """A playlist created through `POST /v1/me/playlists`."""

    spotify_id = models.CharField(max_length=22, unique=True)
    owner = models.CharField(max_length=100, db_index=True)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=300, blank=True)
    public = models.BooleanField(default=True)
    collaborative = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"


class PlaylistItem(models.Model):
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    track_index = models.PositiveBigIntegerField()
    added_at = models.DateTimeField()
    added_by = models.CharField(max_length=100)

    class Meta:
        ordering = ["playlist", "position"]

    def __str__(self) -> str:
        return f"{self.playlist_id} #{self.position}: track {self.track_index}"


class SavedTrack(models.Model):
    """A track saved with `PUT /v1/me/library`, on top of the user's procedural liked songs."""

    spotify_user = models.CharField(max_length=100)
    track_index = models.PositiveBigIntegerField()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["-added_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spotify_user", "track_index"], name="sandbox_saved_track_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spotify_user} saved track {self.track_index}"


class FaultRule(models.Model):
    """Answer matching requests with an error instead (set from tests, or /_control/faults)."""

    path_glob = models.CharField(
        max_length=200,
        help_text="A glob (fnmatch: * ? [...]; never a regular expression) matched against the "
        "whole path below /spotify-sandbox/ (no trailing slash), then ? and the query string, "
        "e.g. api/token, v1/me/tracks* or v1/me/tracks?*offset=100*",
    )
    method = models.CharField(max_length=10, blank=True, help_text="Empty: any method.")
    status = models.PositiveSmallIntegerField(help_text="429, 401, 500, 503, 400 (invalid_grant)…")
    retry_after = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds, sent as Retry-After."
    )
    body_reason = models.CharField(
        max_length=50,
        blank=True,
        help_text="QUOTA_EXCEEDED for a spent quota; an OAuth error code such as invalid_grant "
        "on the accounts endpoints.",
    )
    remaining = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many more requests it answers; empty: all."
    )
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.method or '*'} {self.path_glob} → {self.status}"


# How a Development Mode app meets Spotify in 2026 -------------------------------------------------


class AppState(models.Model):
    """Switches of one client (app) the stand-in knows: its allow-list size, token rotation, the
    plain-text 403 variant, and whether its owner's Premium lapsed (every Web API call: 403)."""

    client_id = models.CharField(max_length=100, unique=True)
    user_limit = models.PositiveSmallIntegerField(
        default=5, help_text="Development Mode admits this many listeners (Spotify: 5)."
    )
    rotate_refresh_tokens = models.BooleanField(
        default=False, help_text="A refresh answers with a new refresh token; the old one dies."
    )
    forbidden_as_text = models.BooleanField(
        default=False,
        help_text="The allow-list 403 as plain text, as Spotify sometimes sends it.",
    )
    owner_lapsed = models.BooleanField(
        default=False, help_text="The app owner's Premium lapsed: every Web API call answers 403."
    )

    def __str__(self) -> str:
        return f"app {self.client_id}"


class AllowListEntry(models.Model):
    """A listener on a client's allow-list (Developer Dashboard → User Management)."""

    client_id = models.CharField(max_length=100)
    spotify_user = models.CharField(max_length=100)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_id", "spotify_user"], name="sandbox_allow_list_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.spotify_user} on {self.client_id}"


class RenamedListener(models.Model):
    """A listener whose Spotify `id` changed; `account_id` (from the listener's key) stays."""

    spotify_user = models.CharField(max_length=100, unique=True, help_text="The listener's key.")
    public_id = models.CharField(max_length=100, unique=True, help_text="Its `id` from now on.")

    def __str__(self) -> str:
        return f"{self.spotify_user} is now {self.public_id}"
