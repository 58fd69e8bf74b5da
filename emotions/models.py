"""Models for emotions (none yet)."""
