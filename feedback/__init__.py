"""Ratings on recommended tracks and the evidence they feed to ranking."""
