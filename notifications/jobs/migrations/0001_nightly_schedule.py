"""The nightly analysis schedule, created disabled: 02:30 UK time once an admin ticks "enabled".

https://crontab.guru/#30_2_*_*_*
"""

import json

from django.db import migrations

TASK_NAME = "Nightly segmentation and prioritisation"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "notifications.jobs.tasks.run_scheduled_analysis",
            "crontab": schedule,
            "kwargs": json.dumps({}),
            "enabled": False,  # off by default: an admin switches it on
            "description": "Starts a full analysis run (incremental: unchanged customers are skipped).",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
