from django.apps import AppConfig


class ContactRulesConfig(AppConfig):
    """Contact policies and the marketing-consent ledger: who may be contacted, when, and on which channel."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.contact_rules"
    label = "contact_rules"
    verbose_name = "Contact rules"
