"""Make each message's lifecycle trail append-only in the database (notifications/common/append_only.py)."""

from django.db import migrations

from notifications.common.append_only import install_triggers, remove_triggers

TABLE = "queue_notificationevent"


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLE, ["user_id"])  # user: SET_NULL when the user is deleted


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("queue", "0001_initial"),
        ("staff", "0002_role_groups_and_append_only_audit"),  # installs the shared trigger function
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
