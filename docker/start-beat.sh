#!/usr/bin/env bash
# Beat process: periodic tasks from the database (django-celery-beat). Run exactly one.
set -euo pipefail

exec celery -A config.celery_app beat \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  --loglevel "${CELERY_LOG_LEVEL:-info}"
