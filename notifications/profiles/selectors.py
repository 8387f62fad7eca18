"""The customer's 360° profile, assembled in bulk for the analysts.

One query per table per batch (five), reading plain tuples with `values_list`
rather than ORM instances: building 100k model instances costs more than the
analysis itself. Rows come back ordered by customer then newest first, so the
per-customer grouping and the history cap happen in one pass in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from customers.models import AccountActivity, Customer, Interaction, NotificationHistory, RecommendedAction
from notifications.profiles.schemas import CustomerProfile

HISTORY_CAP = 20  # most recent interactions / notifications an analyst reads
# Stays well under SQLite's bound-parameter limit (32,766) and keeps memory flat;
# the job layer's chunks are far smaller, so for them this is five queries in all.
BATCH_SIZE = 5000
# Interaction types that record a change of marketing consent (matched case-insensitively).
UNSUBSCRIBE_TYPES = frozenset({"unsubscribe", "opt-out", "opt out", "optout"})
OPT_IN_TYPES = frozenset({"subscribe", "resubscribe", "opt-in", "opt in", "optin"})
# Bump when the profile's shape or meaning changes, so every stored hash goes stale.
PROFILE_HASH_VERSION = "1"

_CUSTOMER_FIELDS = (
    "pk",
    "customer_id",
    "name",
    "age",
    "location",
    "preferred_channel",
    "source_segment",
    "opted_in",
    "income_bracket",
    "customer_since",
    "satisfaction_score",
)
_ACTIVITY_FIELDS = (
    "account_status",
    "last_transaction",
    "last_login",
    "recent_activity",
    "engagement_score",
    "account_tenure_years",
    "subscription_type",
    "churn_risk_score",
)
_INTERACTION_FIELDS = (
    "channel",
    "occurred_at",
    "interaction_type",
    "sentiment",
    "summary",
    "response_time_minutes",
    "resolution_status",
    "agent_id",
)
_NOTIFICATION_FIELDS = (
    "notification_id",
    "channel",
    "sent_at",
    "notification_type",
    "opened",
    "clicked",
    "action_taken",
    "delivery_status",
    "notification_priority",
    "response_time_hours",
)
_ACTION_FIELDS = ("scenario", "recommended_action", "urgency_level", "follow_up_required", "assigned_team")


def load_profile(customer_pk: int) -> CustomerProfile | None:
    """One customer's profile (None if the customer is gone)."""
    return load_profiles([customer_pk]).get(customer_pk)


def load_profiles(customer_pks: Iterable[int]) -> dict[int, CustomerProfile]:
    """Profiles for the given customer primary keys (unknown keys are left out).

    Five queries per batch of BATCH_SIZE customers, whatever their history size.
    """
    pks = sorted(set(customer_pks))
    profiles: dict[int, CustomerProfile] = {}
    for start in range(0, len(pks), BATCH_SIZE):
        profiles.update(_load_batch(pks[start : start + BATCH_SIZE]))
    return profiles


def _load_batch(pks: list[int]) -> dict[int, CustomerProfile]:
    # A contiguous run of keys (the usual chunk) is a range: no 5,000-parameter IN list to build and bind.
    contiguous = pks[-1] - pks[0] + 1 == len(pks)
    scope = {"pk__gte": pks[0], "pk__lte": pks[-1]} if contiguous else {"pk__in": pks}
    child_scope = {f"customer_id{key[2:]}": value for key, value in scope.items()}
    base: dict[int, dict] = {}
    for row in Customer.objects.filter(**scope).values_list(*_CUSTOMER_FIELDS).order_by():
        data = dict(zip(_CUSTOMER_FIELDS, row, strict=True))
        pk = data.pop("pk")
        data["customer_pk"] = pk
        data.update(
            activity=None,
            interactions=[],
            notifications=[],
            recommended_actions=[],
            interactions_total=0,
            notifications_total=0,
            last_unsubscribe_at=None,
            last_opt_in_at=None,
        )
        base[pk] = data
    if not base:
        return {}

    # Newest snapshot per customer: the first row of each customer's run.
    activities = AccountActivity.objects.filter(**child_scope).order_by("customer_id", "-last_login")
    for row in activities.values_list("customer_id", *_ACTIVITY_FIELDS):
        data = base[row[0]]
        if data["activity"] is None:
            data["activity"] = dict(zip(_ACTIVITY_FIELDS, row[1:], strict=True))

    interactions = Interaction.objects.filter(**child_scope).order_by("customer_id", "-occurred_at", "-pk")
    for row in interactions.values_list("customer_id", *_INTERACTION_FIELDS):
        data = base[row[0]]
        data["interactions_total"] += 1
        kind = row[3].strip().lower()
        # Newest first, so the first consent event of each kind is the latest one.
        if kind in UNSUBSCRIBE_TYPES and data["last_unsubscribe_at"] is None:
            data["last_unsubscribe_at"] = row[2]
        elif kind in OPT_IN_TYPES and data["last_opt_in_at"] is None:
            data["last_opt_in_at"] = row[2]
        if len(data["interactions"]) < HISTORY_CAP:
            data["interactions"].append(dict(zip(_INTERACTION_FIELDS, row[1:], strict=True)))

    notifications = NotificationHistory.objects.filter(**child_scope).order_by("customer_id", "-sent_at", "-pk")
    for row in notifications.values_list("customer_id", *_NOTIFICATION_FIELDS):
        data = base[row[0]]
        data["notifications_total"] += 1
        if len(data["notifications"]) < HISTORY_CAP:
            data["notifications"].append(dict(zip(_NOTIFICATION_FIELDS, row[1:], strict=True)))

    actions = RecommendedAction.objects.filter(**child_scope).order_by("customer_id", "scenario")
    for row in actions.values_list("customer_id", *_ACTION_FIELDS):
        base[row[0]]["recommended_actions"].append(dict(zip(_ACTION_FIELDS, row[1:], strict=True)))

    # One validation pass in pydantic's core per profile (nested records included).
    return {pk: CustomerProfile.model_validate(data) for pk, data in base.items()}


def profile_hash(profile: CustomerProfile) -> str:
    """A stable digest of exactly the data an analyst reads (the whole profile).

    The profile's JSON is deterministic: fixed field order, records in a fixed
    order (newest first, ties broken by primary key), datetimes in ISO form.
    Analysts also read today's date (recency, "days since"), which no hash of
    data can capture; forced runs exist for that.
    """
    payload = profile.model_dump_json(exclude={"customer_pk"})
    return hashlib.sha256(f"v{PROFILE_HASH_VERSION}:{payload}".encode()).hexdigest()
