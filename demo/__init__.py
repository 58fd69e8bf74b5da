"""Demo seeders: the demo listener, curated mood playlists and a history of readings."""
