"""Login attempts are rate-limited (django-axes): the 6th bad password for a username+IP is locked out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
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
