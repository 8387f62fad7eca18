"""The three role groups, and the audit trail made append-only in the database.

The groups' permissions are set by the post_migrate handler (notifications/staff/apps.py), which
re-applies notifications/staff/roles.py after every migrate; here the groups only have to exist.
The trigger SQL (PostgreSQL or SQLite) and the erasure exception are in notifications/common/append_only.py.
"""

from django.db import migrations

from notifications.common.append_only import install_support, install_triggers, remove_support, remove_triggers

GROUPS = ["Agents", "Supervisors", "Admins"]
TABLE = "staff_auditevent"


def forwards(apps, schema_editor):
    for name in GROUPS:
        apps.get_model("auth", "Group").objects.get_or_create(name=name)
    install_support(schema_editor)
    install_triggers(schema_editor, TABLE, ["actor_id"])  # actor: SET_NULL when the user is deleted


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLE)
    remove_support(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
