"""factory-boy factories for the customer datasets (use these over fixture files)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from customers import models

LONDON = ZoneInfo("Europe/London")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Customer

    customer_id = factory.Sequence(lambda n: f"CUST{n + 1:06d}")
    name = factory.Sequence(lambda n: f"Morag Test{n}")
    age = 42
    location = "Edinburgh"
    preferred_channel = models.Channel.EMAIL
    source_segment = "Engaged"
    opted_in = True
    income_bracket = models.IncomeBracket.MEDIUM
    customer_since = dt.date(2019, 4, 1)
    satisfaction_score = 7


class AccountActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AccountActivity

    customer = factory.SubFactory(CustomerFactory)
    account_status = "Active"
    last_transaction = "Bill Payment"
    last_login = factory.Sequence(lambda n: dt.datetime(2026, 10, 1, 9, 0, tzinfo=LONDON) + dt.timedelta(hours=n))
    recent_activity = "Viewed bill"
    engagement_score = 55
    account_tenure_years = Decimal("5.5")
    subscription_type = models.SubscriptionType.BASIC
    churn_risk_score = Decimal("30")


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Interaction

    customer = factory.SubFactory(CustomerFactory)
    channel = "Phone"
    occurred_at = factory.Sequence(lambda n: dt.datetime(2026, 9, 1, 10, 0, tzinfo=LONDON) + dt.timedelta(hours=n))
    interaction_type = "Query"
    sentiment = models.Sentiment.NEUTRAL
    summary = "Asked about the latest bill."
    response_time_minutes = 12
    resolution_status = models.ResolutionStatus.RESOLVED
    agent_id = "AG-101"


class NotificationHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NotificationHistory

    notification_id = factory.Sequence(lambda n: f"N-{1000 + n}")
    customer = factory.SubFactory(CustomerFactory)
    channel = models.Channel.EMAIL
    sent_at = factory.Sequence(lambda n: dt.datetime(2026, 8, 1, 9, 0, tzinfo=LONDON) + dt.timedelta(days=n))
    notification_type = "Bill Reminder"
    opened = True
    clicked = False
    action_taken = ""
    delivery_status = models.DeliveryStatus.DELIVERED
    notification_priority = models.Level.MEDIUM
    response_time_hours = Decimal("3.5")


class RecommendedActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.RecommendedAction

    customer = factory.SubFactory(CustomerFactory)
    scenario = factory.Sequence(lambda n: f"High bill query {n}")
    recommended_action = "Offer a bill walkthrough"
    urgency_level = models.Level.MEDIUM
    follow_up_required = True
    assigned_team = "Billing"


# --- CSV files for importer tests ----------------------------------------------------

PROFILE_HEADER = (
    "Customer_ID,Name,Age,Location,Preferred_Channel,Segment,Opted_In,Income_Bracket,Customer_Since,Satisfaction_Score"
)


def write_csv(path, header: str, *rows: str, bom: bool = False, newline: str = "\n", encoding: str = "utf-8"):
    """Write a small CSV (header + raw row lines) and return its path."""
    text = newline.join([header, *rows]) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


# --- queue items (agent workspace) -----------------------------------------------------

SAMPLE_DETAIL = {
    "risk_score": 8,
    "priority": "High",
    "urgency": "Within 24 hours",
    "contact_reason": "High churn risk after repeated billing complaints.",
    "trigger_factors": [
        {"field": "churn_risk_score", "value": "85", "why": "Among the top tenth of customers likely to leave."},
        {"field": "satisfaction_score", "value": "2", "why": "Very unhappy with the service."},
    ],
    "potential_impact": "Keeping this customer protects about £1,200 a year.",
    "customer_insights": ["Pays on time", "Prefers short emails"],
    "communication_style": "Brief and factual.",
    "conversation_starters": ["Thank them for raising the billing issue."],
    "topics_to_avoid": ["Upselling premium tariffs"],
    "resolution_steps": ["Review the last bill", "Offer a payment plan", "Confirm in writing"],
    "follow_up_timing": "Within 3 days",
    "score_breakdown": [{"factor": "churn risk", "points": 4.0}, {"factor": "satisfaction", "points": 2.5}],
    "should_contact": True,
    "no_contact_reason": "",
}


def make_role_user(username: str, role: str = "Agents", **extra):
    """A user in one of the role groups (notifications/staff/roles.py), groups synced first."""
    from django.contrib.auth.models import Group, Permission, User

    from notifications.staff.roles import sync_role_groups

    sync_role_groups(Group, Permission)
    user = User.objects.create_user(username=username, password="pw-for-tests-only", **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


class CustomerAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "analysis.CustomerAnalysis"

    customer = factory.SubFactory(CustomerFactory)
    provider = "offline"
    profile_hash = "test"
    segment = "Value Seekers"
    segment_confidence = 0.86
    risk_score = 8
    priority = "High"
    urgency = "Within 24 hours"
    detail = factory.LazyFunction(lambda: dict(SAMPLE_DETAIL))
    should_contact = True


_RANK = {"High": 0, "Medium": 1, "Low": 2}


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "queue.Notification"

    customer = factory.SubFactory(CustomerFactory)
    analysis = factory.SubFactory(CustomerAnalysisFactory, customer=factory.SelfAttribute("..customer"))
    priority = "High"
    priority_rank = factory.LazyAttribute(lambda o: _RANK[o.priority])
    risk_score = 8
    urgency = "Within 24 hours"
    churn_risk = Decimal("72.50")
    channel = models.Channel.EMAIL
    kind = "service"
    situation = "billing_support"
    original_subject = "About your recent bill"
    original_body = "Hello, we noticed your recent bill query and would like to help you sort it out."
    subject = factory.LazyAttribute(lambda o: o.original_subject)
    body = factory.LazyAttribute(lambda o: o.original_body)
