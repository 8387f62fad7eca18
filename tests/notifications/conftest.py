"""Users shared by the notification tests (the tests assert on these usernames and full names)."""

import pytest

from tests.factories import make_role_user


@pytest.fixture
def agent(db):
    return make_role_user("alex", "Agents", first_name="Alex", last_name="Agent")


@pytest.fixture
def colleague(db):
    return make_role_user("bea", "Agents", first_name="Bea", last_name="Brown")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


# The control-room users (supervision and staff tests; their conftests make `agent` mean Agnes).
@pytest.fixture
def agnes(db):
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
