"""Library sync, mood evidence, ranking and stored recommendations."""
