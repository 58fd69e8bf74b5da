"""Moodtrack's emotion engine: face detection, the CNN, training, evaluation and inference."""
