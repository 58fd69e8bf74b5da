"""Admin for curators: mood playlists (Spotify import), emotion → mood rules, stored lists."""

from recommendations.admin import lists, playlists, rules

__all__ = ["lists", "playlists", "rules"]
