"""Make the delivery event trail and consent changes append-only in the database, not only in the models.

The SQL (PostgreSQL or SQLite, by the connection's vendor) and the erasure exception are in
control/append_only.py; docs/operations.md explains how an erasure gets through.
"""

from django.db import migrations

from control.append_only import install_support, install_triggers, remove_support, remove_triggers

# Foreign keys with on_delete=SET_NULL: deleting the user or draft they point at must still work.
TABLES = {
    "notifications_notificationevent": ["user_id"],
    "notifications_consentchange": ["notification_id", "recorded_by_id"],
}


def forwards(apps, schema_editor):
    install_support(schema_editor)
    for table, nullable_fks in TABLES.items():
        install_triggers(schema_editor, table, nullable_fks)


def backwards(apps, schema_editor):
    for table in TABLES:
        remove_triggers(schema_editor, table)
    remove_support(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0007_withdrawn_drafts"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
