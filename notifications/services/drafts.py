"""Filling the queue from analyses: create a draft, or refresh an untouched one in place.

An agent's work always wins. A re-run only rewrites an open draft nobody has
touched (version 1, text equal to the original, unclaimed, waiting or held);
the rewrite is a compare-and-set UPDATE, so an edit or claim that lands while
the job runs is never overwritten. Sent and dismissed items are history and
are never touched; the partial unique constraint (one open item per customer)
makes a duplicate impossible even if two deliveries of a chunk race.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import F
from django.utils import timezone

from notifications.models import CustomerAnalysis, Notification
from notifications.models.queue import PRIORITY_RANK

UPDATABLE_STATUSES = (Notification.Status.WAITING, Notification.Status.HELD)


class StoredAnalysis(NamedTuple):
    """The slice of a CustomerAnalysis row the queue needs (read with values_list: no model instances)."""

    pk: int
    customer_id: int
    segment: str
    is_fallback: bool
    should_contact: bool
    priority: str
    risk_score: int | None
    urgency: str
    draft: dict

    @classmethod
    def fetch(cls, job_id: int, customer_pks: list[int]) -> dict[int, StoredAnalysis]:
        rows = CustomerAnalysis.objects.filter(job_id=job_id, customer_id__in=customer_pks).values_list(*cls._fields)
        return {row[1]: cls(*row) for row in rows}


@dataclass(frozen=True)
class DraftInput:
    analysis: StoredAnalysis  # carries the draft JSON and the priority fields
    held_until: dt.datetime | None  # quiet hours: queue it held until then
    churn_risk: Decimal


def upsert_drafts(job_id: int, items: list[DraftInput]) -> int:
    """Create or refresh the queue items; returns how many were written.

    Queries: one read of the open items, one bulk insert, one UPDATE per
    refreshed draft (re-runs only: unchanged customers are skipped upstream).
    """
    if not items:
        return 0
    pks = [item.analysis.customer_id for item in items]
    open_items = {
        n.customer_id: n
        for n in Notification.objects.filter(customer_id__in=pks, status__in=Notification.OPEN_STATUSES).only(
            "id",
            "customer_id",
            "status",
            "version",
            "claimed_by",
            "subject",
            "body",
            "original_subject",
            "original_body",
            "edited_at",
        )
    }
    now = timezone.now()
    creates: list[Notification] = []
    written = 0
    for item in items:
        fields = _fields(job_id, item)
        existing = open_items.get(item.analysis.customer_id)
        if existing is None:
            creates.append(Notification(customer_id=item.analysis.customer_id, **fields))
        elif _untouched(existing):
            # Compare-and-set: only if still untouched at this instant.
            written += Notification.objects.filter(
                pk=existing.pk,
                version=1,
                claimed_by__isnull=True,
                edited_at__isnull=True,
                status__in=UPDATABLE_STATUSES,
                subject=F("original_subject"),
                body=F("original_body"),
            ).update(updated_at=now, **fields)
    if creates:
        # ignore_conflicts: a racing duplicate delivery may have queued the same customer first.
        Notification.objects.bulk_create(creates, ignore_conflicts=True)
        written += len(creates)
    return written


def _untouched(n: Notification) -> bool:
    return (
        n.status in UPDATABLE_STATUSES
        and n.version == 1
        and n.claimed_by_id is None
        and n.edited_at is None
        and not n.is_edited
    )


def _fields(job_id: int, item: DraftInput) -> dict:
    a = item.analysis
    draft = a.draft
    return {
        "analysis_id": a.pk,
        "job_id": job_id,
        "status": Notification.Status.HELD if item.held_until else Notification.Status.WAITING,
        "held_until": item.held_until,
        "priority": a.priority,
        "priority_rank": PRIORITY_RANK[a.priority],
        "risk_score": a.risk_score,
        "urgency": a.urgency,
        "churn_risk": item.churn_risk,
        "is_fallback": a.is_fallback,
        "channel": draft["channel"],
        "kind": draft["kind"],
        "situation": draft.get("situation", ""),
        "original_subject": draft.get("subject", ""),
        "original_body": draft["body"],
        "subject": draft.get("subject", ""),
        "body": draft["body"],
    }
