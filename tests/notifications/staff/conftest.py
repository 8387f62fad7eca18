"""The control-room tests' agent is Agnes (tests/notifications/conftest.py)."""

import pytest


@pytest.fixture
def agent(agnes):
    return agnes
