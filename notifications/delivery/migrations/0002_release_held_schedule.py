"""The periodic release of deliveries held by quiet hours (and the stuck-send sweep), every minute.

A sweep every minute, not a Celery ETA: an ETA 11 hours away outlives the Redis visibility timeout
and would be redelivered in a loop (engineering.md §2).
"""

from django.db import migrations

RELEASE_TASK_NAME = "Release deliveries held by quiet hours"


def create_release_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=RELEASE_TASK_NAME,
        defaults={"task": "notifications.delivery.tasks.release_held", "interval": every_minute, "enabled": True},
    )


def remove_release_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RELEASE_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_release_schedule, remove_release_schedule)]
