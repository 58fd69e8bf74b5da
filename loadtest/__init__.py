"""Load test of the production stack here: gunicorn, PostgreSQL, Redis, Celery, driven by locust."""
