"""Load for bench/queue_bench.py: gunicorn with 2 gthread workers, and `wrk` playing logged-in agents.

Each wrk connection is one agent with a real session cookie, going round the requests its page makes and
pausing between them; every status but 200 and 204 (the live poll's "nothing changed") is an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_load(
    database_url: str, seconds: int, connections: int, steps: list[tuple[str, bool]], think_ms: int = 0
) -> str:
    """gunicorn (2 gthread workers) + wrk (1 thread): each connection a logged-in agent going round `steps`
    ((path, sent by htmx)), pausing about `think_ms` between requests; returns the report."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    if not shutil.which("wrk"):
        return "wrk is not installed (apt-get install -y wrk)"
    user = User.objects.get(username="bench-agent")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    folder = Path(tempfile.mkdtemp(prefix="queue-load-"))
    script = folder / "agent.lua"
    # The report adds p95 (wrk prints p99).
    lua_steps = ", ".join(f'{{"{path}", {"hx" if htmx else "nil"}}}' for path, htmx in steps)
    script.write_text(
        f"""
local cookie = "{settings.SESSION_COOKIE_NAME}={session.session_key}"
wrk.headers["Cookie"] = cookie
local hx = {{["HX-Request"] = "true", ["Cookie"] = cookie}}  -- wrk.format sends these instead of wrk.headers
local steps = {{{lua_steps}}}
local think = {think_ms}
n = 0
if think > 0 then
  -- an agent reads between requests: a random pause around `think` ms
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function request()
  n = n + 1
  local step = steps[(n % #steps) + 1]
  return wrk.format("GET", step[1], step[2])
end

function done(summary, latency, requests)
  io.write(string.format("requests/s: %.1f\\n", summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  local e = summary.errors
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; %d requests, %.0f KB each\\n",
    e.connect, e.read, e.write, e.timeout, summary.requests, summary.bytes / summary.requests / 1024))
end
"""
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "False", "LOG_LEVEL": "WARNING"}
    access_log = folder / "access.log"  # one status code per line: every one but 200 and 204 is an error
    port = "8765"
    gunicorn = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "notification_engine.wsgi:application",
            "--workers",
            "2",
            # gthread: a connection that is open but has not sent its request yet (wrk's pause
            # between requests, a slow client) waits in the poller instead of blocking a worker,
            # as nginx's buffering would do in production. CPU parallelism is still 2 processes.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--keep-alive",
            "5",  # longer than an agent's pause, so wrk's idle connections are not cut between requests
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(s)s",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import urllib.request

        for _ in range(100):  # wait for the workers to answer
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # The cookie must open the queue itself (a 302 to the login page would measure the wrong thing).
        probe = urllib.request.Request(
            f"http://127.0.0.1:{port}/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
        )
        with urllib.request.urlopen(probe, timeout=30) as answer:
            body = answer.read().decode()
            if answer.status != 200 or "drafts waiting" not in body:
                return f"the session cookie does not open the queue (HTTP {answer.status})"
        for path, htmx in steps:  # and every step answers as the agent's own page would (no login redirect)
            headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}"}
            headers.update({"HX-Request": "true"} if htmx else {})
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            with urllib.request.urlopen(request, timeout=30) as answer:
                if answer.status not in (200, 204) or answer.headers.get("HX-Redirect"):
                    return f"{path[:60]} does not answer a logged-in agent (HTTP {answer.status})"
        # Warm both workers (imports, template compilation), then forget the warm-up's log lines.
        wrk = ["wrk", "-t1", f"-c{connections}", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/"]
        subprocess.run([*wrk, "-d5s"], capture_output=True, check=False)
        time.sleep(1)
        access_log.write_text("")
        result = subprocess.run(
            [*wrk, f"-d{seconds}s"],
            capture_output=True,
            text=True,
            check=False,
        )
        time.sleep(1)  # let the workers flush their access log
        statuses = Counter(access_log.read_text().split())
        not_ok = sum(count for status, count in statuses.items() if status not in ("200", "204"))
        return result.stdout + result.stderr + f"HTTP statuses: {dict(statuses)}; errors: {not_ok}\n"
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
