from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Analysis jobs: a run split into chunks on the Celery workers, each chunk through the pipeline
    (contact rules → segmentation → priority and draft for contactable Value Seekers → the queue)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.jobs"
    label = "jobs"
    verbose_name = "Analysis jobs"

    def ready(self) -> None:
        from customers.signals import data_imported
        from notifications.jobs import signals

        data_imported.connect(signals.data_imported, dispatch_uid="jobs.withdraw_stale_drafts_after_import")
