from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    """Sending: send rules, channels, deliveries, receipts, tracking and unsubscribe."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.delivery"
    label = "delivery"
    verbose_name = "Delivery"
