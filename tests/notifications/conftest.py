"""Workspace users shared by the view tests (the tests assert on these usernames and full names)."""

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
