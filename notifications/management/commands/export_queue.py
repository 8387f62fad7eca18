"""Export queue items with every analysis field, for supervisors' spreadsheets and for checks.

    python manage.py export_queue [--format json|csv] [--status waiting --status held …] [--output FILE]

CSV cells that a spreadsheet would run as a formula (= + - @, tab, CR) are
prefixed with an apostrophe: customer free text and AI output are data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.management.base import BaseCommand

from customers.resources import neutralise as neutralise_text
from notifications.models import ContactDecision, Notification

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


class Command(BaseCommand):
    help = "Export queue items (drafts and sent messages) with their analysis."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["json", "csv"], default="csv")
        parser.add_argument(
            "--status", action="append", choices=[s.value for s in Notification.Status], help="Repeatable."
        )
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        if options["output"]:
            out = open(options["output"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        else:
            out = self.stdout
            out.ending = ""  # the writers below end their own lines
        try:
            rows = export_rows(options["status"])
            count = _write_csv(out, rows) if options["format"] == "csv" else _write_json(out, rows)
        finally:
            if options["output"]:
                out.close()
        if options["output"]:
            self.stderr.write(f"Wrote {count:,} queue items to {options['output']}.")


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


def neutralise(value) -> str:
    """A CSV cell that cannot run as a spreadsheet formula; lists and dicts as JSON."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return neutralise_text("" if value is None else str(value))


def _write_csv(out, rows: Iterator[dict]) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in COLUMNS])
        count += 1
    return count


def _write_json(out, rows: Iterator[dict]) -> int:
    # Streamed as a JSON array, one item per line, so 100k items never sit in memory at once.
    out.write("[")
    count = 0
    for row in rows:
        out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
