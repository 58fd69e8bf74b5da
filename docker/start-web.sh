#!/usr/bin/env bash
# Web process: apply migrations, then serve with gunicorn (static files via WhiteNoise).
# Threaded workers: most requests wait on PostgreSQL/Redis (polls, uploads), and a slow one
# (recommendations) no longer blocks a whole process.
# The access log goes through core.gunicorn_logger: OAuth `code=`/`state=` values are redacted.
set -euo pipefail

python manage.py migrate --noinput
exec gunicorn config.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${GUNICORN_WORKERS:-3}" \
  --worker-class gthread \
  --threads "${GUNICORN_THREADS:-4}" \
  --keep-alive "${GUNICORN_KEEPALIVE:-5}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --access-logfile - \
  --logger-class core.gunicorn_logger.RedactingGunicornLogger \
  --forwarded-allow-ips "*"
