"""Build `CustomerProfile` objects in memory (no database) for analyst tests and benches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from notifications.profiles.schemas import (
    ActivitySnapshot,
    CustomerProfile,
    InteractionRecord,
    NotificationRecord,
    RecommendedActionRecord,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 24)


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LONDON)


def activity(**overrides) -> ActivitySnapshot:
    data = {
        "account_status": "Active",
        "last_transaction": "Bill Payment",
        "last_login": at("2026-11-01"),
        "recent_activity": "Viewed bill",
        "engagement_score": 50,
        "account_tenure_years": Decimal("5.5"),
        "subscription_type": "Basic",
        "churn_risk_score": Decimal("40.00"),
    }
    return ActivitySnapshot(**{**data, **overrides})


def interaction(**overrides) -> InteractionRecord:
    data = {
        "channel": "Phone",
        "occurred_at": at("2026-10-20"),
        "interaction_type": "Query",
        "sentiment": "Neutral",
        "summary": "Asked about the latest bill.",
        "response_time_minutes": 12,
        "resolution_status": "Resolved",
        "agent_id": "AG-101",
    }
    return InteractionRecord(**{**data, **overrides})


def notification(n: int = 1, **overrides) -> NotificationRecord:
    data = {
        "notification_id": f"N-{1100 + n}",
        "channel": "Email",
        "sent_at": at("2026-10-01"),
        "notification_type": "Bill Reminder",
        "opened": True,
        "clicked": False,
        "action_taken": "",
        "delivery_status": "Delivered",
        "notification_priority": "Medium",
        "response_time_hours": Decimal("3.5"),
    }
    return NotificationRecord(**{**data, **overrides})


def action(**overrides) -> RecommendedActionRecord:
    data = {
        "scenario": "High bill query",
        "recommended_action": "Offer a bill walkthrough",
        "urgency_level": "Medium",
        "follow_up_required": True,
        "assigned_team": "Billing",
    }
    return RecommendedActionRecord(**{**data, **overrides})


def make_profile(**overrides) -> CustomerProfile:
    """A price-conscious customer by default (a Value Seeker under the offline rules)."""
    data = {
        "customer_pk": 1,
        "customer_id": "CUST000001",
        "name": "Morag MacLeod",
        "age": 41,
        "location": "Inverness",
        "preferred_channel": "Email",
        "source_segment": "Engaged",
        "opted_in": True,
        "income_bracket": "Low",
        "customer_since": dt.date(2019, 4, 1),
        "satisfaction_score": 6,
        "activity": activity(),
        "interactions": (interaction(summary="Asked whether a cheaper tariff is available."),),
        "notifications": (notification(notification_type="Tariff Offer"),),
        "recommended_actions": (),
    }
    data.update(overrides)
    data.setdefault("interactions_total", len(data["interactions"]))
    data.setdefault("notifications_total", len(data["notifications"]))
    unsubscribes = [i.occurred_at for i in data["interactions"] if i.interaction_type == "Unsubscribe"]
    data.setdefault("last_unsubscribe_at", max(unsubscribes) if unsubscribes else None)
    return CustomerProfile(**data)
