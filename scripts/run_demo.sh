#!/usr/bin/env bash
# Run the demo: a Celery worker in the background, the web server in the foreground.
# Called by `make run` after `manage.py migrate` and `manage.py setup_demo`.
# Ctrl-C stops the server; the EXIT trap then stops the worker, so nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
CELERY=.venv/bin/celery
mkdir -p var
WORKER_LOG=var/celery-worker.log

cat <<INFO

  Smart Notification Engine demo
  ------------------------------
  Site:   http://127.0.0.1:8000/
  Admin:  http://127.0.0.1:8000/admin/
  Users:  agent, supervisor, admin
          (passwords: printed once by setup_demo above, or your DEMO_*_PASSWORD variables)
  Worker: Celery, log in ${WORKER_LOG}
  Stop:   Ctrl-C

INFO

# -B runs the beat scheduler inside this one worker: it releases deliveries held by quiet hours.
"$CELERY" -A notification_engine worker -B --loglevel=INFO --concurrency=2 >>"$WORKER_LOG" 2>&1 &
WORKER_PID=$!

stop_worker() {
    if kill -0 "$WORKER_PID" 2>/dev/null; then
        kill -TERM "$WORKER_PID" 2>/dev/null || true
        wait "$WORKER_PID" 2>/dev/null || true
    fi
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sleep 3  # a worker that cannot reach its broker dies within a second or two
if ! kill -0 "$WORKER_PID" 2>/dev/null; then
    echo "WARNING: the Celery worker exited at start-up; analysis jobs will not run. See ${WORKER_LOG}." >&2
fi

# Not `exec`: the shell must outlive the server so that the EXIT trap can stop the worker.
"$PY" manage.py runserver 127.0.0.1:8000
