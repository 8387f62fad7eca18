"""Runs before the browser tests (file order): a transactional test whose teardown flush empties the tables.

The browser tests that follow must still start from the migrated rows (permissions, role groups):
tests/conftest.py restores the snapshot even in Playwright's context, where the connection object
is a different one. Without that, the admin control room test found a supervisor with no permissions.
"""

import pytest
from django.contrib.auth.models import Group, Permission


@pytest.mark.django_db(transaction=True)
def test_the_migrated_rows_are_there_before_the_browser_tests():
    assert Permission.objects.exists() and Group.objects.filter(name="Supervisors").exists()
