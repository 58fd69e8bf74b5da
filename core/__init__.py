"""Shared infrastructure: health checks, the ping task, the API error type, the landing page."""
