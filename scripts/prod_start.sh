#!/usr/bin/env bash
# Production start, one role per process (docs/operations.md#production-start):
#
#   scripts/prod_start.sh release   # once per deploy, before the others: checks, migrates, collects static files
#   scripts/prod_start.sh web       # gunicorn; serves the pages and /static/ (WhiteNoise)
#   scripts/prod_start.sh worker    # Celery workers: as many machines/processes as you need
#   scripts/prod_start.sh beat      # the scheduler: EXACTLY ONE in the whole deployment
#
# Every role needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL; the settings default
# to notification_engine.settings_production. `exec` hands the process to your supervisor (systemd, a
# container runtime, honcho with the Procfile), so its SIGTERM reaches gunicorn or Celery directly.
set -euo pipefail
cd "$(dirname "$0")/.."

ROLE="${1:-}"
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-notification_engine.settings_production}"

require() {
    local missing=() name
    for name in "$@"; do
        [ -n "${!name:-}" ] || missing+=("$name")
    done
    if ((${#missing[@]})); then
        echo "prod_start.sh $ROLE: set ${missing[*]} in the environment (see docs/operations.md#production-start)" >&2
        exit 2
    fi
}

# Without DATABASE_URL and CELERY_BROKER_URL the settings fall back to the demo's files under the
# checkout (SQLite, the embedded broker), which other machines cannot share: refuse instead.
require SECRET_KEY ALLOWED_HOSTS DATABASE_URL CELERY_BROKER_URL

case "$ROLE" in
release)
    "$PY" manage.py check --deploy
    "$PY" manage.py migrate --noinput
    exec "$PY" manage.py collectstatic --noinput
    ;;
web)
    # Sync workers: each request is short (HTMX fragments); long work goes to Celery. No control socket:
    # its default path is per user, shared by every gunicorn on the host; use signals (HUP, TTIN, TTOU).
    exec "$VENV/bin/gunicorn" notification_engine.wsgi:application \
        --bind "${BIND:-0.0.0.0:8000}" \
        --workers "${WEB_CONCURRENCY:-$(($(nproc) * 2 + 1))}" \
        --timeout "${GUNICORN_TIMEOUT:-120}" \
        --max-requests 1000 --max-requests-jitter 100 \
        --access-logfile - --error-logfile - \
        --no-control-socket
    ;;
worker)
    # Prefork only: gevent/eventlet redelivery is unreliable with late acks (docs/operations.md).
    exec "$VENV/bin/celery" -A notification_engine worker -P prefork \
        -c "${WORKER_CONCURRENCY:-$(nproc)}" -l "${LOG_LEVEL:-info}"
    ;;
beat)
    exec "$VENV/bin/celery" -A notification_engine beat -l "${LOG_LEVEL:-info}"
    ;;
*)
    echo "usage: scripts/prod_start.sh release|web|worker|beat" >&2
    exit 64
    ;;
esac
