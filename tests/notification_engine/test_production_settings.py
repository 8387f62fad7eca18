"""Production settings must pass Django's deployment checks with no warnings.

Run in a subprocess because settings are process-wide.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "notification_engine.settings_production", **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_no_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="notify.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_real_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "notification_engine.settings_production", "ALLOWED_HOSTS": "x.org"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

    weak = _manage("check", SECRET_KEY="django-insecure-demo-only-change-me", ALLOWED_HOSTS="x.org")
    assert weak.returncode != 0
    assert "SECRET_KEY must be a long random value" in weak.stderr


def test_every_response_carries_a_content_security_policy(client):
    response = client.get("/admin/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def _shell(code: str, **env_overrides: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "notification_engine.settings", **env_overrides}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_postgresql_connections_turn_jit_off_unless_the_url_says_otherwise():
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'].get('options'))"
    assert _shell(code, DATABASE_URL="postgres://u@db.example.org/sne") == "-c jit=off"
    assert (
        _shell(code, DATABASE_URL="postgres://u@db.example.org/sne?options=-c%20work_mem%3D64MB") == "-c work_mem=64MB"
    )


def test_a_proxy_count_without_a_forwarded_header_refuses_to_start():
    result = _manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="notify.example.org",
        TRUSTED_PROXY_COUNT="1",
        AXES_IPWARE_META_PRECEDENCE_ORDER="REMOTE_ADDR",
    )
    assert result.returncode != 0 and "AXES_IPWARE_META_PRECEDENCE_ORDER" in result.stderr
