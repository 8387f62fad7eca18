#!/usr/bin/env bash
# Run the demo: a Celery worker and the web server, then a summary of where to go and who to be.
# Called by `make run` after `manage.py migrate` and `manage.py setup_demo`.
# PORT (default 8000) moves the server: `PORT=8001 make run`.
# Ctrl-C (or a TERM to this script) stops both: the EXIT trap stops the server and the worker.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
CELERY=.venv/bin/celery
PORT="${PORT:-8000}"
ADMIN_PATH="${ADMIN_URL:-admin/}"
SITE="http://127.0.0.1:${PORT}"
VAR="${VAR_DIR:-var}"  # as in notification_engine/settings/base.py
PASSWORDS_FILE="${VAR}/demo-passwords.txt"  # written by setup_demo (notifications/supervision/management/commands)
mkdir -p "$VAR"
WORKER_LOG="${VAR}/celery-worker.log"

if ! [[ "$PORT" =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    echo "PORT must be a number from 1 to 65535, not '${PORT}'." >&2
    exit 2
fi
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/${PORT}") 2>/dev/null; }
if port_open; then
    echo "Port ${PORT} is already in use (another 'make run'?). Stop that, or choose a port: PORT=8001 make run" >&2
    exit 1
fi

WORKER_PID=""
SERVER_PID=""
stop() {
    local pid _
    # A second signal must not cut the clean-up short (make passes its TERM on; Ctrl-C may be pressed twice).
    trap '' INT TERM
    for pid in $SERVER_PID $WORKER_PID; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # Celery's warm shutdown gives running tasks 10 s (CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT). A worker whose pool
    # was signalled with it (a TERM to the whole process group) can hang after "beat: Shutting down": past
    # 20 s it is killed, so that nothing of the demo outlives this script.
    for pid in $SERVER_PID $WORKER_PID; do
        for _ in {1..100}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "Stopping ${pid} by force (it did not stop within 20 s)." >&2
            pkill -KILL -P "$pid" 2>/dev/null || true
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -B runs the beat scheduler inside this one worker: it releases deliveries held by quiet hours.
"$CELERY" -A notification_engine worker -B --loglevel=INFO --concurrency=2 >>"$WORKER_LOG" 2>&1 &
WORKER_PID=$!

# In the background, so that this script can print the summary once the server answers, and so that
# a TERM reaches the trap at once. --noreload: one process, which a TERM stops (the autoreloader's
# child would outlive its parent).
PYTHONUNBUFFERED=1 "$PY" manage.py runserver --noreload "127.0.0.1:${PORT}" &
SERVER_PID=$!

started=$SECONDS
until port_open; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        wait "$SERVER_PID" || exit $?  # it failed to start: its own error is above
        exit 1
    fi
    sleep 0.2
done
while ((SECONDS - started < 3)); do sleep 0.2; done  # a worker that cannot reach its broker dies within 1-2 s

if [[ -s "$PASSWORDS_FILE" ]]; then
    passwords="in ${PASSWORDS_FILE}"
else
    passwords="from your DEMO_*_PASSWORD variables, or set new ones (below)"
fi
if kill -0 "$WORKER_PID" 2>/dev/null; then
    worker="running, log in ${WORKER_LOG}"
else
    worker="NOT RUNNING: analysis jobs and sends will wait. See ${WORKER_LOG}"
fi
cat <<INFO

  ==========================================================================
  Smart Notification Engine is running
    Site:       ${SITE}/
    Admin:      ${SITE}/${ADMIN_PATH}
    Users:      agent (works the queue), supervisor (also the admin),
                admin (everything, incl. imports and users)
    Passwords:  ${passwords}
                new ones: .venv/bin/python manage.py setup_demo --reset-passwords
    Worker:     ${worker}
    Stop:       Ctrl-C
  ==========================================================================

INFO

wait "$SERVER_PID"
