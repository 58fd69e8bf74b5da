"""Developer scripts (run as files; importable for their tests)."""
