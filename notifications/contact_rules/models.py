from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from notifications.common.models import AppendOnlyModel


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConsentParams(_Params):
    pass  # the rule itself lives in notifications.profiles.consent, shared with the analysts


class AccountStatusParams(_Params):
    allowed_statuses: list[str] = Field(default=["Active"], min_length=1)


class FrequencyCapParams(_Params):
    marketing_max: int = Field(default=1, ge=0)
    marketing_window_days: int = Field(default=7, ge=1, le=365)
    per_channel_max: int = Field(default=1, ge=0)
    channel_window_days: int = Field(default=7, ge=1, le=365)
    # Source-system notification types that count as marketing (matched as case-insensitive substrings).
    marketing_keywords: list[str] = Field(
        default=["offer", "promo", "upgrade", "tariff", "deal", "discount", "newsletter", "reward", "marketing"]
    )


class CoolDownParams(_Params):
    ignored_in_a_row: int = Field(default=3, ge=1, le=50)
    days: int = Field(default=14, ge=1, le=365)


class QuietHoursParams(_Params):
    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(8, 0)
    channels: list[str] = Field(default=["SMS", "App Push"])
    timezone: str = "Europe/London"


PARAMETER_SCHEMAS: dict[str, type[_Params]] = {
    "consent": ConsentParams,
    "account_status": AccountStatusParams,
    "frequency_cap": FrequencyCapParams,
    "cool_down": CoolDownParams,
    "quiet_hours": QuietHoursParams,
}


class ContactPolicy(models.Model):
    """A rule deciding who may be contacted, stored as data so supervisors can tune it."""

    class Rule(models.TextChoices):
        CONSENT = "consent", "Marketing consent (opted in, no later Unsubscribe)"
        ACCOUNT_STATUS = "account_status", "Account status"
        FREQUENCY_CAP = "frequency_cap", "Frequency cap"
        COOL_DOWN = "cool_down", "Cool-down after ignored notifications"
        QUIET_HOURS = "quiet_hours", "Quiet hours for SMS and push"

    rule = models.CharField(max_length=20, choices=Rule.choices, unique=True)
    enabled = models.BooleanField(default=True)
    parameters = models.JSONField(default=dict, blank=True)
    description = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "contact policies"
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.get_rule_display()

    def params(self) -> _Params:
        """The parameters, validated and with defaults filled in (raises ValidationError)."""
        try:
            return PARAMETER_SCHEMAS[self.rule].model_validate(self.parameters or {})
        except PydanticValidationError as exc:
            messages = [f"{'.'.join(map(str, e['loc'])) or 'parameters'}: {e['msg']}" for e in exc.errors()]
            raise ValidationError({"parameters": messages}) from exc

    def clean(self) -> None:
        super().clean()
        if self.rule in PARAMETER_SCHEMAS:
            self.params()


class ConsentChange(AppendOnlyModel):
    class Source(models.TextChoices):
        UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
        ONE_CLICK = "one_click", "List-Unsubscribe one-click (RFC 8058)"
        INTERACTION_IMPORT = "interaction_import", "Interaction import"
        AGENT = "agent", "Agent"
        INBOUND_SMS = "inbound_sms", "SMS reply (STOP)"

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="consent_changes")
    marketing_consent = models.BooleanField(help_text="True: given; False: withdrawn.")
    channel = models.CharField(max_length=16, blank=True, help_text="Blank: every channel.")
    source = models.CharField(max_length=20, choices=Source.choices)
    evidence = models.JSONField(default=dict, blank=True)
    notification = models.ForeignKey(
        "queue.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["customer", "-occurred_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        verb = "given" if self.marketing_consent else "withdrawn"
        return f"marketing consent {verb} · customer {self.customer_id}"
