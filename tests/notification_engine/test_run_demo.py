"""scripts/run_demo.sh, the last step of `make run`, for real: a worker and the server on PORT, a summary
that ends the output (site, users, where the passwords are), and nothing left running once stopped."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run_demo.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_env(tmp_path: Path, port: int | str) -> dict[str, str]:
    """A private database, broker and var/ directory: the run touches nothing of the project's own."""
    unset = ("DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL", "ADMIN_URL", "VAR_DIR", "PORT", "CELERY_QUEUE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    return {
        **env,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "PORT": str(port),
    }


def test_a_port_that_is_not_a_number_is_refused(tmp_path):
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=demo_env(tmp_path, "80a"), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert done.stderr == "PORT must be a number from 1 to 65535, not '80a'.\n"


def test_a_port_in_use_is_refused_before_anything_starts(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            ["bash", str(SCRIPT)], env=demo_env(tmp_path, port), capture_output=True, text=True, timeout=30
        )
    assert done.returncode == 1
    assert f"Port {port} is already in use" in done.stderr
    assert "PORT=8001 make run" in done.stderr
    assert not (tmp_path / "var" / "celery-worker.log").exists()  # no worker was started


class Output:
    """Collects a process's output lines as they come."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in self.lines):
                return
            time.sleep(0.1)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n" + "\n".join(self.lines))


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.worker
@pytest.mark.parametrize(
    ("stop_signal", "returncode"),
    [
        (signal.SIGINT, 130),  # Ctrl-C: the terminal signals the whole process group
        (signal.SIGTERM, 143),  # a service manager stopping the group (the worker's pool is signalled too)
    ],
    ids=["ctrl-c", "term"],
)
def test_make_run_ends_with_the_site_the_users_and_where_the_passwords_are(tmp_path, stop_signal, returncode):
    port = free_port()
    env = demo_env(tmp_path, port)
    prepare = [
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        [sys.executable, "manage.py", "setup_demo", "--customers", "20", "--out", str(tmp_path / "data")],
    ]
    before = "".join(
        subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=True).stdout
        for cmd in prepare
    )
    assert "AXES" not in before

    process = subprocess.Popen(
        ["bash", str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, to check that nothing of it outlives it
    )
    output = Output(process)
    try:
        output.wait_for(r"^\s+Stop:\s+Ctrl-C$", timeout=90)
        time.sleep(0.5)
        lines = list(output.lines)
        # The summary comes after Django's start-up lines, and ends the output.
        assert lines.index("Quit the server with CONTROL-C.") < lines.index("  Smart Notification Engine is running")
        assert lines[-3:] == ["    Stop:       Ctrl-C", "  " + "=" * 74, ""]
        assert f"    Site:       http://127.0.0.1:{port}/" in output.lines
        assert f"    Admin:      http://127.0.0.1:{port}/admin/" in output.lines
        assert "    Users:      agent (works the queue), supervisor (also the admin)," in output.lines
        assert f"    Passwords:  in {tmp_path / 'var' / 'demo-passwords.txt'}" in output.lines
        assert "                new ones: .venv/bin/python manage.py setup_demo --reset-passwords" in output.lines
        assert f"    Worker:     running, log in {tmp_path / 'var' / 'celery-worker.log'}" in output.lines
        assert not any("AXES" in line for line in output.lines)

        assert get(f"http://127.0.0.1:{port}/accounts/login/") == 200
        assert get(f"http://127.0.0.1:{port}/static/admin/css/base.css") == 200
        output.wait_for(r'"GET /accounts/login/ HTTP/1.1" 200', timeout=10)
        time.sleep(0.5)
        assert not any("/static/" in line for line in output.lines)  # no line per static file
    finally:
        if process.poll() is None:
            os.killpg(process.pid, stop_signal)
        stopped = process.wait(timeout=60)

    assert stopped == returncode

    deadline = time.monotonic() + 30
    while process_group_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not process_group_alive(process.pid), "a process of the demo outlived the script"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
