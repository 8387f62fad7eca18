"""Webhook receipts seen once, so a provider's replay of the same message changes nothing."""

from django.db import models


class ProviderReceipt(models.Model):
    """Every webhook message id seen once: a replay of the same MessageId is ignored."""

    message_id = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.message_id
