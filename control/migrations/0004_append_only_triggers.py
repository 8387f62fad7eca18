"""Make the audit trail append-only in the database, and add the "customer erased" action.

The shared trigger function / flag table is created by notifications 0008 (hence the dependency);
the SQL is in control/append_only.py.
"""

from django.db import migrations, models

from control.append_only import install_triggers, remove_triggers

TABLE = "control_auditevent"


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLE, ["actor_id"])  # actor: SET_NULL when the user is deleted


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0003_approval_policy"),
        ("notifications", "0008_append_only_triggers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("edited", "Draft edited"),
                    ("reverted", "Draft reverted to the original"),
                    ("claimed", "Claimed"),
                    ("released", "Claim released"),
                    ("approved", "Approved"),
                    ("sent", "Sent"),
                    ("dismissed", "Dismissed"),
                    ("snoozed", "Snoozed"),
                    ("reanalysis", "Re-analysis started"),
                    ("consent", "Consent changed"),
                    ("imported", "Data imported"),
                    ("policy_changed", "Contact policy changed"),
                    ("settings_changed", "Provider settings changed"),
                    ("erased", "Customer erased"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
