"""Migration 0003: the account-status policy moves from "allowed" to "blocked" and "contactable" lists."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from notifications.contact_rules.models import AccountStatusParams, ContactPolicy

pytestmark = pytest.mark.django_db

migration = importlib.import_module("notifications.contact_rules.migrations.0003_account_status_blocks_only_closed")


def _migrate_from(parameters: dict) -> ContactPolicy:
    ContactPolicy.objects.filter(rule="account_status").update(parameters=parameters)
    migration.forwards(apps, None)
    return ContactPolicy.objects.get(rule="account_status")


def test_the_old_active_only_default_becomes_the_new_default():
    policy = _migrate_from({"allowed_statuses": ["Active"]})
    assert policy.parameters == {
        "blocked_statuses": ["Closed"],
        "contactable_statuses": ["Active", "At Risk", "Dormant", "Suspended"],
    }
    assert policy.params() == AccountStatusParams()
    assert policy.description.startswith("Closed accounts are not contacted; At Risk and Dormant are reasons")


def test_an_admin_s_own_list_keeps_its_meaning():
    policy = _migrate_from({"allowed_statuses": ["Active", "suspended"]})
    assert policy.parameters == {
        "contactable_statuses": ["Active", "suspended"],
        "blocked_statuses": ["At Risk", "Dormant", "Closed"],
    }
    migration.backwards(apps, None)
    assert ContactPolicy.objects.get(rule="account_status").parameters == {"allowed_statuses": ["Active", "suspended"]}
