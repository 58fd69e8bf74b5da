"""HTML views of recommendations: songs for a reading and saving them to Spotify."""
