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
