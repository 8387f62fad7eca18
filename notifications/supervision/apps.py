from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    """The supervisors' control room: admin, dashboard, results, approvals, imports and erasure."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.supervision"
    label = "supervision"
    verbose_name = "Supervision"
