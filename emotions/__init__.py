"""Mood readings: image intake, the inference task and the readings API."""
