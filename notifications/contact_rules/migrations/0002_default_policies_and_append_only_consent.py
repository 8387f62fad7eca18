"""The default contact policies, and the consent ledger made append-only in the database.

The policies are data so supervisors can change them in the admin without a release; these are
the defaults the product ships with. Trigger SQL: notifications/common/append_only.py.
"""

from django.db import migrations

from notifications.common.append_only import install_triggers, remove_triggers

DEFAULT_POLICIES = [
    (
        "consent",
        {},
        "Marketing only to customers who opted in and have no Unsubscribe interaction since. "
        "Service messages are not affected.",
    ),
    ("account_status", {"allowed_statuses": ["Active"]}, "Only customers whose account is Active may be contacted."),
    (
        "frequency_cap",
        {"marketing_max": 1, "marketing_window_days": 7, "per_channel_max": 1, "channel_window_days": 7},
        "At most 1 marketing message per customer in 7 days and 1 message per channel in 7 days, "
        "counting the source system's notification history and messages sent from the queue.",
    ),
    (
        "cool_down",
        {"ignored_in_a_row": 3, "days": 14},
        "Pause contact for 14 days after 3 notifications in a row were not opened.",
    ),
    (
        "quiet_hours",
        {"start": "21:00", "end": "08:00", "channels": ["SMS", "App Push"], "timezone": "Europe/London"},
        "No SMS or push between 21:00 and 08:00 UK time: drafts are held until 08:00, not dropped.",
    ),
]

TABLE = "contact_rules_consentchange"


def forwards(apps, schema_editor):
    ContactPolicy = apps.get_model("contact_rules", "ContactPolicy")
    for rule, parameters, description in DEFAULT_POLICIES:
        ContactPolicy.objects.get_or_create(
            rule=rule, defaults={"parameters": parameters, "description": description, "enabled": True}
        )
    # Foreign keys with on_delete=SET_NULL: deleting the draft or user they point at must still work.
    install_triggers(schema_editor, TABLE, ["notification_id", "recorded_by_id"])


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLE)
    apps.get_model("contact_rules", "ContactPolicy").objects.filter(
        rule__in=[rule for rule, _, _ in DEFAULT_POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contact_rules", "0001_initial"),
        ("staff", "0002_role_groups_and_append_only_audit"),  # installs the shared trigger function
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
