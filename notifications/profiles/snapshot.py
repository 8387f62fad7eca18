"""What a draft was written from: a small, readable snapshot of the customer's data, and what changed since.

A draft keeps the snapshot (and a digest of the whole profile) from when it
was drafted or last confirmed; when the customer's data has changed since,
the agent is told what changed before the draft can be sent.
"""

from __future__ import annotations

import hashlib

from notifications.profiles.schemas import CustomerProfile

# label → value, in the order an agent reads them
LABELS = {
    "name": "Name",
    "preferred_channel": "Preferred channel",
    "opted_in": "Marketing opt-in",
    "satisfaction_score": "Satisfaction",
    "account_status": "Account status",
    "last_login": "Last login",
    "churn_risk_score": "Churn risk",
    "latest_interaction": "Latest interaction",
    "interactions": "Interactions on record",
    "notifications": "Notifications on record",
}


def customer_data_hash(profile: CustomerProfile) -> str:
    """A digest of the customer's own data: not the as-of day, which moves with every export."""
    payload = profile.model_dump_json(exclude={"customer_pk", "as_of"})
    return hashlib.sha256(payload.encode()).hexdigest()


def snapshot(profile: CustomerProfile) -> dict[str, str]:
    a = profile.activity
    latest = profile.interactions[0] if profile.interactions else None
    return {
        "name": profile.name,
        "preferred_channel": profile.preferred_channel,
        "opted_in": "Yes" if profile.opted_in else "No",
        "satisfaction_score": str(profile.satisfaction_score),
        "account_status": a.account_status if a else "",
        "last_login": f"{a.last_login:%Y-%m-%d %H:%M}" if a else "",
        "churn_risk_score": str(a.churn_risk_score) if a else "",
        "latest_interaction": (
            f"{latest.interaction_type} {latest.occurred_at:%Y-%m-%d} ({latest.resolution_status})" if latest else ""
        ),
        "interactions": str(profile.interactions_total),
        "notifications": str(profile.notifications_total),
    }


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """'Name: Ann Reid → Bob Smith' for every snapshot value that differs."""
    return [
        f"{label}: {before.get(key) or '—'} → {after.get(key) or '—'}"
        for key, label in LABELS.items()
        if before.get(key, "") != after.get(key, "")
    ]


SOME_HISTORY_CHANGED = "new or changed records in the customer's history"


def changed_since(data_hash: str, data_snapshot: dict[str, str] | None, profile: CustomerProfile) -> list[str]:
    """What changed in the customer's data since a draft was written from `data_hash` / `data_snapshot`
    ([] when nothing did, or when the draft predates the digest). A change outside the snapshot's key
    facts (an older interaction, the age) still counts, in general words."""
    if not data_hash or customer_data_hash(profile) == data_hash:
        return []
    return changes(data_snapshot or {}, snapshot(profile)) or [SOME_HISTORY_CHANGED]
