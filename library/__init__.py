"""The listener's library: tracks, artists, playlists, sync, and the evidence of track moods."""
