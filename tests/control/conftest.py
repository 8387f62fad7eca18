"""Role users for the control-room tests (groups from notifications/roles.py, nothing else)."""

from __future__ import annotations

import pytest

from tests.factories import make_role_user


@pytest.fixture
def agent(db):
    return make_role_user("agnes", "Agents")


@pytest.fixture
def admin_user(db):
    # A member of Admins, not a superuser: every right must come from the group.
    return make_role_user("ada", "Admins", is_staff=True)


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client
