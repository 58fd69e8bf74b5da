#!/usr/bin/env bash
# Worker process: consumes the ml and default queues; the model loads lazily in each child.
set -euo pipefail

exec celery -A config.celery_app worker \
  --queues "${CELERY_QUEUES:-ml,default}" \
  --concurrency "${CELERY_CONCURRENCY:-2}" \
  --max-tasks-per-child "${CELERY_MAX_TASKS_PER_CHILD:-200}" \
  --loglevel "${CELERY_LOG_LEVEL:-info}"
