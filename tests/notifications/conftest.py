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


@pytest.fixture
def fake_bedrock(db, settings, monkeypatch):
    """Start a local Bedrock fake and point the project's settings at it (runtime and control plane), with
    fake credentials, no botocore retries and a fresh analyst: `server = fake_bedrock(denied=(...))`."""
    from notifications.analysis.services import analyse
    from tests.fakes.bedrock_server import FakeBedrock

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    settings.BEDROCK_RETRIES = {"mode": "standard", "max_attempts": 0}
    servers: list[FakeBedrock] = []

    def start(**options) -> FakeBedrock:
        server = FakeBedrock(**options).start()
        servers.append(server)
        settings.BEDROCK_ENDPOINT_URL = settings.BEDROCK_CONTROL_ENDPOINT_URL = server.url
        analyse._bedrock_analyst.cache_clear()
        return server

    yield start
    analyse._bedrock_analyst.cache_clear()
    for server in servers:
        server.stop()
