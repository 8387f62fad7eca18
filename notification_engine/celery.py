"""The Celery application. Configuration lives in settings under the CELERY_ namespace."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notification_engine.settings")

app = Celery("notification_engine")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Delivery tasks live in a sub-package (notifications/delivery/tasks.py), not in an app's tasks.py.
app.autodiscover_tasks(["notifications.delivery"])
