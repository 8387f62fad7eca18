from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """The agents' HTMX workspace: the queue page, cards, drafts and live stats."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.workspace"
    label = "workspace"
    verbose_name = "Workspace"
