"""A protocol-faithful local stand-in for Spotify's accounts service and Web API (demo, tests)."""
