from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """Segmentation and prioritisation: the analysts (offline rules, Bedrock), jobs, their decisions and AI usage."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.analysis"
    label = "analysis"
    verbose_name = "Analysis"
