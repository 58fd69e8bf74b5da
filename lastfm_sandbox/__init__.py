"""A protocol-faithful local stand-in for Last.fm's tag look-ups (demo, tests)."""
