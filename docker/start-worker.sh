#!/usr/bin/env bash
# Worker process: consumes CELERY_QUEUES (compose: worker-ml takes "ml", worker "default";
# both when unset). Each pool child loads the model when it
# starts (EMOTION_MODEL_PRELOAD, on in production) and is replaced when its memory passes
# CELERY_MAX_MEMORY_PER_CHILD_KB after a task (not after a fixed count of tasks: a replacement
# child costs seconds of model loading).
set -euo pipefail

# Inference runs on LiteRT (no TensorFlow in this image). One pool child per core, so each
# child's interpreters take one thread: throughput over one frame's latency.
export EMOTION_LITERT_THREADS="${EMOTION_LITERT_THREADS:-1}"

exec celery -A config.celery_app worker \
  --queues "${CELERY_QUEUES:-ml,default}" \
  --concurrency "${CELERY_CONCURRENCY:-2}" \
  --max-memory-per-child "${CELERY_MAX_MEMORY_PER_CHILD_KB:-600000}" \
  --loglevel "${CELERY_LOG_LEVEL:-info}"
