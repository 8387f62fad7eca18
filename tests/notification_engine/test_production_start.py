"""The production start as a supplier's ops team runs it (scripts/prod_start.sh, docs/operations.md).

`release` (deploy checks, migrate, collectstatic) into a scratch database and static root, then `web`
(gunicorn, production settings) on a loopback port; the pages and static files are fetched over HTTP
the way a TLS-terminating proxy forwards them.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = str(ROOT / "scripts" / "prod_start.sh")
PROXIED = {"X-Forwarded-Proto": "https"}  # SECURE_PROXY_SSL_HEADER: the proxy terminated TLS


def _production_env(tmp: Path) -> dict[str, str]:
    # pytest-django exports the demo settings module; the script must choose production on its own.
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    return {
        **env,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # never contacted: no request here sends a task
        "STATIC_ROOT": str(tmp / "static"),
        "BIND": "127.0.0.1:0",  # gunicorn picks a free port and logs it
        "WEB_CONCURRENCY": "1",
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[str, int]:
    tmp = tmp_path_factory.mktemp("production")
    env = _production_env(tmp)
    release = subprocess.run([SCRIPT, "release"], env=env, capture_output=True, text=True, timeout=300)
    assert release.returncode == 0, release.stdout[-3000:] + release.stderr[-3000:]
    assert "static files copied to" in release.stdout

    log_path = tmp / "web.log"
    with log_path.open("wb") as log:
        web = subprocess.Popen([SCRIPT, "web"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (found := re.search(rb"Listening at: http://127\.0\.0\.1:(\d+)", log_path.read_bytes())):
            assert web.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + log_path.read_text(errors="replace")
            time.sleep(0.2)
        yield "127.0.0.1", int(found.group(1))
    finally:
        web.terminate()  # the script exec'd gunicorn: SIGTERM reaches the arbiter itself
        web.wait(30)


def _get(site: tuple[str, int], path: str, headers: dict[str, str] = PROXIED) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*site, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_gunicorn_serves_the_stylesheet_and_the_vendored_htmx(site):
    status, headers, body = _get(site, "/static/css/workspace.css")
    assert (status, headers["Content-Type"]) == (200, 'text/css; charset="utf-8"')
    assert body == (ROOT / "static" / "css" / "workspace.css").read_bytes()

    status, headers, body = _get(site, "/static/vendor/htmx-2.0.11.min.js")
    assert (status, headers["Content-Type"]) == (200, 'text/javascript; charset="utf-8"')
    assert body == (ROOT / "static" / "vendor" / "htmx-2.0.11.min.js").read_bytes()


def test_the_login_page_links_hashed_static_files_that_browsers_may_cache_for_a_year(site):
    status, _, body = _get(site, "/accounts/login/")
    page = body.decode()
    assert status == 200
    assert "<title>Sign in · Smart Notification Engine</title>" in page
    assert 'name="csrfmiddlewaretoken"' in page

    stylesheet = re.search(r'href="(/static/css/workspace\.[0-9a-f]{12}\.css)"', page)
    htmx = re.search(r'src="(/static/vendor/htmx-2\.0\.11\.min\.[0-9a-f]{12}\.js)"', page)
    assert stylesheet and htmx, page
    for path, source in ((stylesheet[1], "css/workspace.css"), (htmx[1], "vendor/htmx-2.0.11.min.js")):
        status, headers, body = _get(site, path)
        assert status == 200, path
        assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
        assert body == (ROOT / "static" / source).read_bytes()


def test_plain_http_is_redirected_to_https(site):
    status, headers, _ = _get(site, "/accounts/login/", headers={})
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{site[1]}/accounts/login/"


def test_a_role_refuses_to_start_without_its_environment(tmp_path):
    env = {k: v for k, v in _production_env(tmp_path).items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = subprocess.run([SCRIPT, "web"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "prod_start.sh web: set SECRET_KEY DATABASE_URL in the environment" in result.stderr

    result = subprocess.run([SCRIPT, "webserver"], env=_production_env(tmp_path), capture_output=True, text=True)
    assert result.returncode == 64
    assert "usage: scripts/prod_start.sh release|web|worker|beat" in result.stderr
