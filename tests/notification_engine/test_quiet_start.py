"""What a command and the development server print: no django-axes banner, no line per static file,
each warning once, and PORT moving the site's address."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

ROOT = Path(__file__).resolve().parents[2]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def server_log():
    """What the development server's logger lets through (its filters run before any handler)."""
    handler = Collect()
    logger = logging.getLogger("django.server")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def log_request(request_line: str, status: str, size: str = "100") -> None:
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # only its logging: no socket needed
    handler.request = None
    handler.log_message('"%s" %s %s', request_line, status, size)


def test_the_server_logs_pages_but_not_each_static_file(server_log):
    log_request("GET /admin/ HTTP/1.1", "200")
    log_request("GET /static/admin/css/base.css HTTP/1.1", "200")
    log_request("GET /static/admin/js/theme.js HTTP/1.1", "304", "0")
    log_request("GET /static/htmx.min.js HTTP/1.1", "404")  # a missing file is worth a line
    log_request("POST /accounts/login/ HTTP/1.1", "302", "0")

    assert server_log == [
        '"GET /admin/ HTTP/1.1" 200 100',
        '"GET /static/htmx.min.js HTTP/1.1" 404 100',
        '"POST /accounts/login/ HTTP/1.1" 302 0',
    ]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL", "AXES_LOG_LEVEL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_command_prints_only_its_own_output_and_port_moves_the_site():
    done = manage("shell", "-v", "0", "-c", "from django.conf import settings; print(settings.SITE_URL)", PORT="8123")
    assert done.stdout == "http://127.0.0.1:8123\n"
    assert done.stderr == ""  # no "AXES: BEGIN version …" banner


def test_a_request_warning_is_printed_once():
    # Django's default logging gave "django" a console handler of its own besides root's (in DEBUG).
    done = manage(
        "shell", "-v", "0", "-c", "import logging; logging.getLogger('django.request').warning('Not Found: /x')"
    )
    assert done.stderr == "Not Found: /x\n"


def test_the_site_url_defaults_to_port_8000_and_an_explicit_one_wins():
    shown = "from django.conf import settings; print(settings.SITE_URL)"
    assert manage("shell", "-v", "0", "-c", shown).stdout == "http://127.0.0.1:8000\n"
    explicit = manage("shell", "-v", "0", "-c", shown, PORT="8123", SITE_URL="https://notify.example.co.uk")
    assert explicit.stdout == "https://notify.example.co.uk\n"
