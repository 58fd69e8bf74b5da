"""Models for recommendations (none yet)."""
