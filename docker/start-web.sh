#!/usr/bin/env bash
# Web process: apply migrations, then serve with gunicorn (static files via WhiteNoise).
set -euo pipefail

python manage.py migrate --noinput
exec gunicorn config.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${GUNICORN_WORKERS:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --access-logfile - \
  --forwarded-allow-ips "*"
