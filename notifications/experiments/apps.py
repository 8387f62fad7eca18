from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    """The holdout control group and the measured uplift of contacting customers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.experiments"
    label = "experiments"
    verbose_name = "Holdout experiment"
