"""Read the demo generator's CSV files straight into `CustomerProfile`s (no database).

Used by property tests ("every profile the generator can make") and for tuning
segmentation against the hidden personas without an import round-trip. It
applies the same newest-first ordering and history cap as `load_profiles`.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from notifications.profiles.schemas import CustomerProfile
from notifications.profiles.selectors import HISTORY_CAP, OPT_IN_TYPES, UNSUBSCRIBE_TYPES

LONDON = ZoneInfo("Europe/London")


def _stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _yes(text: str) -> bool:
    return text.strip().lower() == "yes"


def profiles_from_csv(directory: Path) -> tuple[list[CustomerProfile], dict[str, str]]:
    """(profiles, {customer_id: persona}) from a generated folder."""
    directory = Path(directory)
    base: dict[str, dict] = {}
    for pk, row in enumerate(_rows(directory / "Customer Profiles.csv"), start=1):
        base[row["Customer_ID"]] = {
            "customer_pk": pk,
            "customer_id": row["Customer_ID"],
            "name": row["Name"],
            "age": int(row["Age"]),
            "location": row["Location"],
            "preferred_channel": row["Preferred_Channel"],
            "source_segment": row["Segment"],
            "opted_in": _yes(row["Opted_In"]),
            "income_bracket": row["Income_Bracket"],
            "customer_since": dt.date.fromisoformat(row["Customer_Since"]),
            "satisfaction_score": int(row["Satisfaction_Score"]),
            "activity": None,
            "recommended_actions": [],
        }
    activities = defaultdict(list)
    for row in _rows(directory / "Account Activity Logs.csv"):
        activities[row["Customer_ID"]].append(
            {
                "account_status": row["Account_Status"],
                "last_transaction": row["Last_Transaction"],
                "last_login": _stamp(row["Last_Login"]),
                "recent_activity": row["Recent_Activity"],
                "engagement_score": int(row["Engagement_Score"]),
                "account_tenure_years": Decimal(row["Account_Tenure_Years"]),
                "subscription_type": row["Subscription_Type"],
                "churn_risk_score": Decimal(row["Churn_Risk_Score"]),
            }
        )
    for cid, snaps in activities.items():
        base[cid]["activity"] = max(snaps, key=lambda s: s["last_login"])
    interactions = defaultdict(list)
    for row in _rows(directory / "Interaction History.csv"):
        minutes = row["Response_Time_Minutes"].strip()
        interactions[row["Customer_ID"]].append(
            {
                "channel": row["Channel"],
                "occurred_at": _stamp(row["Date & Time"]),
                "interaction_type": row["Interaction_Type"],
                "sentiment": row["Sentiment"],
                "summary": row["Summary"],
                "response_time_minutes": int(minutes) if minutes else None,
                "resolution_status": row["Resolution_Status"],
                "agent_id": row["Agent_ID"],
            }
        )
    notifications = defaultdict(list)
    for row in _rows(directory / "Notification History.csv"):
        hours = row["Response_Time_Hours"].strip()
        notifications[row["Customer_ID"]].append(
            {
                "notification_id": row["Notification_ID"],
                "channel": row["Channel"],
                "sent_at": _stamp(row["Sent_Date"]),
                "notification_type": row["Notification_Type"],
                "opened": _yes(row["Opened"]),
                "clicked": _yes(row["Clicked"]),
                "action_taken": row["Action_Taken"],
                "delivery_status": row["Delivery_Status"],
                "notification_priority": row["Notification_Priority"],
                "response_time_hours": Decimal(hours) if hours else None,
            }
        )
    for row in _rows(directory / "Recommended Actions.csv"):
        base[row["Customer_ID"]]["recommended_actions"].append(
            {
                "scenario": row["Scenario"],
                "recommended_action": row["Recommended_Action"],
                "urgency_level": row["Urgency_Level"],
                "follow_up_required": _yes(row["Follow_Up_Required"]),
                "assigned_team": row["Assigned_Team"],
            }
        )
    profiles = []
    for cid, data in base.items():
        its = sorted(interactions[cid], key=lambda r: r["occurred_at"], reverse=True)
        ns = sorted(notifications[cid], key=lambda r: r["sent_at"], reverse=True)
        unsub = [r["occurred_at"] for r in its if r["interaction_type"].strip().lower() in UNSUBSCRIBE_TYPES]
        opt_in = [r["occurred_at"] for r in its if r["interaction_type"].strip().lower() in OPT_IN_TYPES]
        data["recommended_actions"].sort(key=lambda r: r["scenario"])
        data.update(
            interactions=its[:HISTORY_CAP],
            notifications=ns[:HISTORY_CAP],
            interactions_total=len(its),
            notifications_total=len(ns),
            last_unsubscribe_at=unsub[0] if unsub else None,
            last_opt_in_at=opt_in[0] if opt_in else None,
        )
        profiles.append(CustomerProfile.model_validate(data))
    personas = {}
    persona_file = directory / "personas.csv"
    if persona_file.exists():
        personas = {row["Customer_ID"]: row["Persona"] for row in _rows(persona_file)}
    return profiles, personas
