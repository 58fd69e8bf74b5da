"""Models for feedback (none yet)."""
