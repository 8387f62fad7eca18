"""Queue items with every analysis field, flattened for export (the export_queue command)."""

from __future__ import annotations

from collections.abc import Iterator

from notifications.analysis.models import ContactDecision
from notifications.queue.models import Notification

BATCH = 2000
COLUMNS = [
    "queue_id", "customer_id", "customer_name", "status", "priority", "risk_score", "urgency", "churn_risk",
    "channel", "kind", "situation", "subject", "body", "original_subject", "original_body", "version",
    "held_until", "claimed_by", "sent_at", "sent_by", "dismiss_reason", "is_fallback", "job_id", "created_at",
    "segment", "segment_confidence", "segment_reasons", "provider", "model_id", "contact_reason",
    "trigger_factors", "potential_impact", "customer_insights", "communication_style", "conversation_starters",
    "topics_to_avoid", "resolution_steps", "follow_up_timing", "score_breakdown", "should_contact",
    "no_contact_reason", "warnings", "fallback_reason", "contact_policies",
]  # fmt: skip


def export_rows(statuses: list[str] | None = None) -> Iterator[dict]:
    """One dict per queue item, in queue order; three queries per batch of BATCH items."""
    items = Notification.objects.select_related("customer", "analysis", "claimed_by", "sent_by").order_by(
        "priority_rank", "-risk_score", "-churn_risk", "id"
    )
    if statuses:
        items = items.filter(status__in=statuses)
    batch: list[Notification] = []
    for item in items.iterator(chunk_size=BATCH):
        batch.append(item)
        if len(batch) == BATCH:
            yield from _rows(batch)
            batch = []
    yield from _rows(batch)


def _rows(batch: list[Notification]) -> Iterator[dict]:
    if not batch:
        return
    keys = {(n.job_id, n.customer_id) for n in batch if n.job_id}
    decisions = {
        (d.job_id, d.customer_id): d.results
        for d in ContactDecision.objects.filter(
            job_id__in={k[0] for k in keys}, customer_id__in={k[1] for k in keys}
        ).only("job_id", "customer_id", "results")
    }
    for n in batch:
        a = n.analysis
        detail = (a.detail if a else {}) or {}
        yield {
            "queue_id": n.pk,
            "customer_id": n.customer.customer_id,
            "customer_name": n.customer.name,
            "status": n.status,
            "priority": n.priority,
            "risk_score": n.risk_score,
            "urgency": n.urgency,
            "churn_risk": str(n.churn_risk),
            "channel": n.channel,
            "kind": n.kind,
            "situation": n.situation,
            "subject": n.subject,
            "body": n.body,
            "original_subject": n.original_subject,
            "original_body": n.original_body,
            "version": n.version,
            "held_until": _iso(n.held_until),
            "claimed_by": n.claimed_by.get_username() if n.claimed_by else "",
            "sent_at": _iso(n.sent_at),
            "sent_by": n.sent_by.get_username() if n.sent_by else "",
            "dismiss_reason": n.dismiss_reason,
            "is_fallback": n.is_fallback,
            "job_id": n.job_id,
            "created_at": _iso(n.created_at),
            "segment": a.segment if a else "",
            "segment_confidence": a.segment_confidence if a else None,
            "segment_reasons": a.segment_reasons if a else [],
            "provider": a.provider if a else "",
            "model_id": a.model_id if a else "",
            "contact_reason": detail.get("contact_reason", ""),
            "trigger_factors": detail.get("trigger_factors", []),
            "potential_impact": detail.get("potential_impact", ""),
            "customer_insights": detail.get("customer_insights", []),
            "communication_style": detail.get("communication_style", ""),
            "conversation_starters": detail.get("conversation_starters", []),
            "topics_to_avoid": detail.get("topics_to_avoid", []),
            "resolution_steps": detail.get("resolution_steps", []),
            "follow_up_timing": detail.get("follow_up_timing", ""),
            "score_breakdown": detail.get("score_breakdown", []),
            "should_contact": a.should_contact if a else None,
            "no_contact_reason": a.no_contact_reason if a else "",
            "warnings": a.warnings if a else [],
            "fallback_reason": a.fallback_reason if a else "",
            "contact_policies": decisions.get((n.job_id, n.customer_id), []),
        }


def _iso(value) -> str:
    return value.isoformat() if value else ""
