"""Login attempts are rate-limited (django-axes): the 6th bad password for a username+IP is locked out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return get_user_model().objects.create_user("morag", password="right-horse-battery-staple", is_staff=True)


@pytest.mark.parametrize("login_url", ["login", "admin:login"])
def test_sixth_bad_password_is_locked_out(client, user, login_url):
    url = reverse(login_url)
    for attempt in range(4):
        response = client.post(url, {"username": "morag", "password": f"wrong-{attempt}"})
        assert response.status_code == 200, attempt  # the form again, with its error
    # The 5th bad password is still checked, and is the failure that reaches the limit.
    assert client.post(url, {"username": "morag", "password": "wrong-5"}).status_code == 429
    # The 6th attempt is locked out without a check: even the right password is refused
    # until the cool-off (15 minutes) has passed.
    assert client.post(url, {"username": "morag", "password": "right-horse-battery-staple"}).status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_ip(client, user):
    url = reverse("login")
    for attempt in range(6):
        client.post(url, {"username": "morag", "password": f"wrong-{attempt}"})
    other = get_user_model().objects.create_user("ailsa", password="another-long-passphrase")
    ok = client.post(url, {"username": "ailsa", "password": "another-long-passphrase"})
    assert ok.status_code == 302  # a different username from the same IP still logs in
    assert client.session["_auth_user_id"] == str(other.pk)


def test_a_good_login_resets_the_count(client, user):
    url = reverse("login")
    for attempt in range(4):
        client.post(url, {"username": "morag", "password": f"wrong-{attempt}"})
    assert client.post(url, {"username": "morag", "password": "right-horse-battery-staple"}).status_code == 302
    client.logout()
    for attempt in range(4):
        assert client.post(url, {"username": "morag", "password": f"again-{attempt}"}).status_code == 200


def test_settings():
    from datetime import timedelta

    from django.conf import settings

    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.TRUSTED_PROXY_COUNT == 0  # no proxy trusted unless configured
    assert settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)


# --- behind a reverse proxy (TRUSTED_PROXY_COUNT, read through django-ipware) ---

PROXY = "10.0.0.5"  # every request reaches Django from the load balancer


def fail_five_times(client, forwarded_for: str) -> int:
    url = reverse("login")
    for attempt in range(5):
        response = client.post(
            url,
            {"username": "morag", "password": f"wrong-{attempt}"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
    return response.status_code


def log_in(client, forwarded_for: str) -> int:
    return client.post(
        reverse("login"),
        {"username": "morag", "password": "right-horse-battery-staple"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).status_code


@pytest.fixture
def behind_one_proxy(settings):
    # TRUSTED_PROXY_COUNT=1 in the environment: ipware then expects the client alone in X-Forwarded-For.
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


def test_two_clients_behind_one_proxy_do_not_lock_each_other_out(behind_one_proxy, user):
    assert fail_five_times(Client(), "203.0.113.7") == 429  # the attacker is locked out...
    assert log_in(Client(), "198.51.100.20") == 302  # ...the real Morag, elsewhere, is not
    assert log_in(Client(), "203.0.113.7") == 429


def test_a_forged_forwarded_address_does_not_escape_the_lockout(behind_one_proxy, user):
    # The proxy appends the address it saw, so only the right-most entry is ours to trust.
    assert fail_five_times(Client(), "1.2.3.4, 203.0.113.7") == 429
    assert log_in(Client(), "9.9.9.9, 203.0.113.7") == 429


def test_without_the_setting_forwarded_headers_are_ignored(user):
    # The demo default: nothing is trusted, so behind a proxy everyone shares the proxy's count.
    assert fail_five_times(Client(), "203.0.113.7") == 429
    assert log_in(Client(), "198.51.100.20") == 429
