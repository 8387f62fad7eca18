from django.apps import AppConfig


class QueueConfig(AppConfig):
    """The agents' queue: drafts, claims, edits, approvals and each message's lifecycle trail."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.queue"
    label = "queue"
    verbose_name = "Queue"
