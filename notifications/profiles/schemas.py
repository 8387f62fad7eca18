"""Typed, validated inputs and outputs shared by every analyst.

The offline and Bedrock analysts both produce exactly these models; Bedrock's
forced tool schemas are generated from them (`Model.model_json_schema()`), so
there is one definition of each output.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from notifications.common.sms import PUSH_MAX_CHARS, sms_size


class Segment(StrEnum):
    VALUE_SEEKERS = "Value Seekers"
    TRADITIONALISTS = "Traditionalists"
    DIGITAL_NATIVES = "Digital Natives"
    ECO_SAVERS = "Eco Savers"


class Priority(StrEnum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    WITHIN_24_HOURS = "Within 24 hours"
    WITHIN_A_WEEK = "Within a week"
    ROUTINE = "Routine"


class MessageKind(StrEnum):
    SERVICE = "service"
    MARKETING = "marketing"  # tariff offers and upsells count as marketing under PECR


class Situation(StrEnum):
    """Why we are writing; decides whether the draft is service or marketing."""

    RETENTION = "retention"  # resolving a service problem: no offers in it
    BILLING_SUPPORT = "billing_support"
    PAYMENT_DIFFICULTY = "payment_difficulty"  # SLC 27.5: payment help, never sales
    ENGAGEMENT = "engagement"  # encouraging use of our services is promotion (ICO)
    TARIFF_VALUE = "tariff_value"
    GREEN_UPGRADE = "green_upgrade"


SITUATION_KIND: dict[str, MessageKind] = {
    Situation.RETENTION: MessageKind.SERVICE,
    Situation.BILLING_SUPPORT: MessageKind.SERVICE,
    Situation.PAYMENT_DIFFICULTY: MessageKind.SERVICE,
    Situation.ENGAGEMENT: MessageKind.MARKETING,
    Situation.TARIFF_VALUE: MessageKind.MARKETING,
    Situation.GREEN_UPGRADE: MessageKind.MARKETING,
}

# PECR: every marketing message offers a simple way out; it must be the draft's last line.
OPT_OUT_LINES: dict[str, str] = {
    "Email": "To stop marketing emails, use the unsubscribe link below.",
    "SMS": "Reply STOP to opt out.",
    "App Push": "Turn off offers in app settings.",
    "Phone": "If you would rather we did not call you about offers, just say and I will update your preferences.",
}


class Schema(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- input: the customer's 360° profile -------------------------------------------


class ActivitySnapshot(Schema):
    account_status: str
    last_transaction: str
    last_login: dt.datetime
    recent_activity: str
    engagement_score: int
    account_tenure_years: Decimal
    subscription_type: str
    churn_risk_score: Decimal


class InteractionRecord(Schema):
    channel: str
    occurred_at: dt.datetime
    interaction_type: str
    sentiment: str
    summary: str  # customer free text: data, never instructions
    response_time_minutes: int | None
    resolution_status: str
    agent_id: str


class NotificationRecord(Schema):
    notification_id: str
    channel: str
    sent_at: dt.datetime
    notification_type: str
    opened: bool
    clicked: bool
    action_taken: str
    delivery_status: str
    notification_priority: str
    response_time_hours: Decimal | None


class RecommendedActionRecord(Schema):
    scenario: str
    recommended_action: str
    urgency_level: str
    follow_up_required: bool
    assigned_team: str


class CustomerProfile(Schema):
    """Everything an analyst may read about one customer, newest records first."""

    customer_pk: int
    customer_id: str
    name: str
    age: int
    location: str
    preferred_channel: str
    source_segment: str
    opted_in: bool
    income_bracket: str
    customer_since: dt.date
    satisfaction_score: int
    activity: ActivitySnapshot | None  # the newest snapshot, if any
    interactions: tuple[InteractionRecord, ...] = ()
    notifications: tuple[NotificationRecord, ...] = ()
    recommended_actions: tuple[RecommendedActionRecord, ...] = ()
    # Over the customer's whole history, not just the capped tuples above: consent
    # must not come back because an old Unsubscribe fell off the end of the list.
    interactions_total: int = 0
    notifications_total: int = 0
    last_unsubscribe_at: dt.datetime | None = None
    last_opt_in_at: dt.datetime | None = None  # an explicit Subscribe / Opt-in interaction


# --- outputs -----------------------------------------------------------------------


class SegmentReason(Schema):
    field: str
    value: str
    points_to: Segment
    weight: float = Field(ge=0)


class Segmentation(Schema):
    segment: Segment
    confidence: float = Field(ge=0, le=1)
    reasons: list[SegmentReason] = Field(min_length=1)


class TriggerFactor(Schema):
    """A real data point: the field, its actual value, and why it matters."""

    field: str = Field(min_length=1)
    value: str = Field(min_length=1)
    why: str = Field(min_length=1)


class ScoreComponent(Schema):
    factor: str
    points: float


class PriorityAnalysis(Schema):
    risk_score: int = Field(ge=1, le=10)
    priority: Priority
    urgency: Urgency
    contact_reason: str = Field(min_length=1)
    trigger_factors: list[TriggerFactor] = Field(min_length=1)
    potential_impact: str = Field(min_length=1)
    customer_insights: list[str]
    communication_style: str
    conversation_starters: list[str]
    topics_to_avoid: list[str]
    resolution_steps: list[str] = Field(min_length=3, max_length=5)
    follow_up_timing: str
    score_breakdown: list[ScoreComponent]
    should_contact: bool
    no_contact_reason: str = ""
    # Added for the drafting step and the queue filters: what to write about and where.
    situation: str = ""  # a Situation value; "" when should_contact is false
    channel: str = ""  # the channel to use: usually preferred_channel; Phone for an open escalated complaint

    @model_validator(mode="after")
    def _explain_no_contact(self) -> PriorityAnalysis:
        if not self.should_contact and not self.no_contact_reason.strip():
            raise ValueError("no_contact_reason is required when should_contact is false")
        if self.situation and self.situation not in SITUATION_KIND:
            raise ValueError(f"situation must be one of {[s.value for s in Situation]}, not {self.situation!r}")
        if self.channel and self.channel not in OPT_OUT_LINES:
            raise ValueError(f"channel must be one of {sorted(OPT_OUT_LINES)}, not {self.channel!r}")
        return self


class DraftMessage(Schema):
    channel: str  # the customer's preferred channel (customers.models.Channel value)
    kind: MessageKind
    situation: str  # retention, billing_support, payment_difficulty, engagement, tariff_value, green_upgrade
    subject: str = ""  # email only
    body: str = Field(min_length=1)

    @model_validator(mode="after")
    def _fits_channel(self) -> DraftMessage:
        if self.channel not in OPT_OUT_LINES:
            raise ValueError(f"channel must be one of {sorted(OPT_OUT_LINES)}, not {self.channel!r}")
        if self.situation not in SITUATION_KIND:
            raise ValueError(f"situation must be one of {[s.value for s in Situation]}, not {self.situation!r}")
        if SITUATION_KIND[self.situation] != self.kind:
            raise ValueError(f"a {self.situation} message is {SITUATION_KIND[self.situation]}, not {self.kind}")
        if self.channel == "Email" and not self.subject.strip():
            raise ValueError("an email needs a subject")
        if self.channel == "SMS":
            size = sms_size(self.body)
            if size.units > size.limit:
                raise ValueError(
                    f"SMS body is {size.units} {size.encoding} characters; at most {size.limit} fit in 2 segments"
                )
        if self.channel == "App Push" and len(self.body) > PUSH_MAX_CHARS:
            raise ValueError(f"push body is {len(self.body)} characters; at most {PUSH_MAX_CHARS}")
        if self.kind == MessageKind.MARKETING and not self.body.rstrip().endswith(OPT_OUT_LINES[self.channel]):
            raise ValueError(f"a marketing {self.channel} message must end with: {OPT_OUT_LINES[self.channel]}")
        return self


class CallUsage(Schema):
    """One analyst call, for cost accounting (offline calls cost nothing)."""

    provider: str
    model_id: str
    operation: str  # segment | prioritise | draft
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    latency_ms: int = 0
    outcome: str = "ok"  # ok | invalid | throttled | error | timeout
    cost_gbp: Decimal = Decimal("0")


class DraftIssue(Schema):
    """One problem found in a draft (inline warnings as the agent types, and analyst checks)."""

    # american_spelling | invented_fact | wrong_name | length | encoding | opt_out | consent | promotional
    # | pressure | ai_claim | empty
    kind: str
    message: str
    text: str = ""  # the offending text, for highlighting
    suggestion: str = ""


class CustomerAnalysisResult(Schema):
    """What one analysis run yields for one customer."""

    customer_id: str
    provider: str  # the analyst that produced the result
    segmentation: Segmentation
    priority: PriorityAnalysis | None = None  # Value Seekers only
    draft: DraftMessage | None = None  # Value Seekers who should be contacted
    held_out: bool = False  # in the holdout control group: prioritised, never drafted
    warnings: list[str] = []  # grounding / British-English flags left for a human
    fallback: bool = False  # the offline analyst stood in for Bedrock
    fallback_reason: str = ""
    usage: list[CallUsage] = []
