"""The one seam to Spotify: spotipy client, tokens and their encryption, sign-in backend, errors."""
