"""Default contact policies, and the nightly analysis schedule (created disabled).

The policies are data so supervisors can change them in the admin without a
release; these are the defaults the product ships with. The schedule runs at
02:30 UK time every night once an admin ticks "enabled":
https://crontab.guru/#30_2_*_*_*
"""

import json

from django.db import migrations

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

TASK_NAME = "Nightly segmentation and prioritisation"


def create_defaults(apps, schema_editor):
    ContactPolicy = apps.get_model("notifications", "ContactPolicy")
    for rule, parameters, description in DEFAULT_POLICIES:
        ContactPolicy.objects.get_or_create(
            rule=rule, defaults={"parameters": parameters, "description": description, "enabled": True}
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 02:30 every night, UK time: https://crontab.guru/#30_2_*_*_*
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "notifications.tasks.run_scheduled_analysis",
            "crontab": schedule,
            "kwargs": json.dumps({}),
            "enabled": False,  # off by default: an admin switches it on
            "description": "Starts a full analysis run (incremental: unchanged customers are skipped).",
        },
    )


def remove_defaults(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()
    apps.get_model("notifications", "ContactPolicy").objects.filter(
        rule__in=[rule for rule, _, _ in DEFAULT_POLICIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_jobs_chunks_and_drafts"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
