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
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, models
from django.db.models import F, Q
from django.utils import timezone

from notifications.analysis.models import CustomerAnalysis
from notifications.common.transitions import move_rows
from notifications.queue.models import PRIORITY_RANK, Notification, NotificationEvent

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
    provider: str  # which analyst drafted it: the first entry of the item's event trail
    held_out: bool  # the holdout control group: never queued

    @classmethod
    def fetch(cls, job_id: int, customer_pks: list[int]) -> dict[int, StoredAnalysis]:
        if not customer_pks:
            return {}
        rows = CustomerAnalysis.objects.filter(job_id=job_id, customer_id__in=customer_pks).values_list(*cls._fields)
        return {row[1]: cls(*row) for row in rows}


class RawJSON(str):
    """A value already serialised to JSON text (pydantic's model_dump_json): written as is, not re-encoded."""


def insert_rows(
    model: type[models.Model], rows: Sequence[dict], *, returning: Sequence[str] = (), batch: int = 500
) -> tuple[int, list[tuple]]:
    """INSERT … ON CONFLICT DO NOTHING [RETURNING …] for many rows; returns (rows inserted, returned tuples).

    Why not bulk_create: it compiles every value of every row through the field machinery
    (get_db_prep_save, as_sql per placeholder), which cost more than the analysis itself, and with
    ignore_conflicts it cannot say which rows went in. Here only datetimes, decimals and JSON are
    adapted, by the backend's own adapters. Fields a row leaves out take their model default;
    auto_now(_add) fields get the current time. A conflicting row (unique constraint) is skipped
    and not returned, so the caller knows exactly which rows it wrote. SQLite (>= 3.35) gets a
    multi-row VALUES list; PostgreSQL one array per column.
    """
    if not rows:
        return 0, []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    ops = connection.ops
    postgres = connection.vendor == "postgresql"

    def adapter(f):
        name = f.attname
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = ops.adapt_datetimefield_value(now)
            return lambda row: value
        default = f.get_default()  # the model default; "" for text fields, None otherwise
        if isinstance(f, models.JSONField):
            return lambda row: _json_text(row.get(name, default))
        if isinstance(f, models.DateTimeField):
            return lambda row: ops.adapt_datetimefield_value(row.get(name, default))
        if isinstance(f, models.DecimalField):
            return lambda row: ops.adapt_decimalfield_value(row.get(name, default), f.max_digits, f.decimal_places)
        if name not in rows[0] and default is None and not f.null:
            raise ValueError(f"insert_rows: {model.__name__}.{name} has no value and no default")
        return lambda row: row.get(name, default)

    adapters = [adapter(f) for f in fields]
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    head = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) "
    tail = " ON CONFLICT DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(ops.quote_name(model._meta.get_field(n).column) for n in returning)
    if postgres:
        # One array per column (unnest): a query with one placeholder per column, not per value;
        # psycopg parses the query text for placeholders, which for 10,000 of them cost more than the insert.
        unnest = ", ".join(f"%b::{f.db_type(connection)}[]" for f in fields)  # %b: binary, no escaping
        head += f"SELECT * FROM unnest({unnest})"
    inserted, returned = 0, []
    if postgres:
        # Django's psycopg cursor binds client-side, quoting every array element through regexes;
        # a plain psycopg cursor on the same connection (same transaction) sends them as binary.
        import psycopg

        connection.ensure_connection()
        cursor = psycopg.Cursor(connection.connection)
    else:
        cursor = connection.cursor()
        batch = max(1, min(batch, _max_params() // len(fields)))
    with cursor, connection.wrap_database_errors:  # psycopg errors surface as django.db errors, as usual
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            if postgres:
                cursor.execute(head + tail, [[a(row) for row in part] for a in adapters])
            else:
                marks = ", ".join(f"({', '.join(['%s'] * len(fields))})" for _ in part)
                cursor.execute(head + "VALUES " + marks + tail, [a(row) for row in part for a in adapters])
            if returning:
                got = cursor.fetchall()
                returned.extend(got)
                inserted += len(got)
            else:
                inserted += cursor.rowcount
    return inserted, returned


def _max_params() -> int:
    """This SQLite build's bound-parameter limit (32,766 since 3.32); Django assumes the old 999."""
    try:
        import sqlite3

        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python < 3.11: no getlimit
        return connection.features.max_query_params or 999


def _json_text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, RawJSON) else json.dumps(value)


@dataclass(frozen=True)
class DraftInput:
    analysis: StoredAnalysis  # carries the draft JSON and the priority fields
    held_until: dt.datetime | None  # quiet hours: queue it held until then
    churn_risk: Decimal
    data_hash: str = ""  # the customer data it was written from (notifications/profiles/snapshot.py)
    data_snapshot: dict = field(default_factory=dict)


def upsert_drafts(job_id: int, items: list[DraftInput]) -> int:
    """Create or refresh the queue items; returns how many were written.

    Queries: one read of the open items, one multi-row insert, one UPDATE per
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
    creates: list[dict] = []
    drafted: list[tuple[int, StoredAnalysis, bool]] = []  # (notification pk, analysis, refreshed)
    for item in items:
        fields = _fields(job_id, item)
        existing = open_items.get(item.analysis.customer_id)
        if existing is None:
            creates.append({"customer_id": item.analysis.customer_id, **fields})
        elif _untouched(existing) and _refresh(existing.pk, fields, now):
            drafted.append((existing.pk, item.analysis, True))
    if creates:
        # ON CONFLICT DO NOTHING: a racing duplicate delivery may have queued the same customer
        # first; only the rows really inserted are returned, so only they get a "drafted" event.
        analysis_of = {item.analysis.customer_id: item.analysis for item in items}
        _, inserted = insert_rows(Notification, creates, returning=("id", "customer_id"))
        drafted.extend((pk, analysis_of[customer_pk], False) for pk, customer_pk in inserted)
    _record_drafted(job_id, drafted, now)
    return len(drafted)


def _record_drafted(job_id: int, drafted: list[tuple[int, StoredAnalysis, bool]], now: dt.datetime) -> None:
    """The first entry of each item's trail: which analyst drafted it, in which job (one multi-row insert)."""
    insert_rows(
        NotificationEvent,
        [
            {
                "notification_id": pk,
                "kind": NotificationEvent.Kind.DRAFTED,
                "occurred_at": now,
                "source": analysis.provider,
                "metadata": {"job": job_id, "fallback": analysis.is_fallback, "refreshed": refreshed},
            }
            for pk, analysis, refreshed in drafted
        ],
    )


# Nobody has touched it: still at the analyst's version and text, unclaimed, waiting or held.
UNTOUCHED = Q(
    version=1,
    claimed_by__isnull=True,
    edited_at__isnull=True,
    status__in=UPDATABLE_STATUSES,
    subject=F("original_subject"),
    body=F("original_body"),
)


def _refresh(pk: int, fields: dict, now: dt.datetime) -> bool:
    """Rewrite an untouched draft in place: a compare-and-set, so only if still untouched at this instant."""
    return bool(Notification.objects.filter(UNTOUCHED, pk=pk).update(updated_at=now, **fields))


def withdraw_stale_drafts(job_id: int, reasons: dict[int, str], *, now: dt.datetime | None = None) -> int:
    """Take out of the queue the untouched drafts of customers a newer analysis no longer queues.

    `reasons` maps customer pk → why this job did not queue them. Without this an agent could spend
    time on a draft the data no longer supports (the send-time checks would still refuse what the
    rules forbid). An agent's work (claimed, edited, snoozed) stays: they decide.
    """
    if not reasons:
        return 0
    stale = Notification.objects.filter(UNTOUCHED, customer_id__in=list(reasons)).values_list("pk", "customer_id")
    notes = {
        pk: (f"Analysis job {job_id}: {reasons[customer_pk]}", {"job": job_id, "reason": reasons[customer_pk]})
        for pk, customer_pk in stale
    }
    return len(withdraw_untouched(notes, source="analysis", now=now))


def withdraw_untouched(notes: dict[int, tuple[str, dict]], *, source: str, now: dt.datetime | None = None) -> list[int]:
    """Dismiss each of these drafts (pk → (note, event metadata)) as superseded, if nobody has touched it.

    Each row is a compare-and-set on UNTOUCHED, so a claim or an edit landing meanwhile wins; each
    draft withdrawn gets a WITHDRAWN event on its trail (from `source`) with the metadata. Returns
    the pks withdrawn.
    """
    now = now or timezone.now()
    withdrawn, events = [], []
    for pk, (note, metadata) in notes.items():
        if move_rows(
            Notification.objects.filter(UNTOUCHED, pk=pk),
            Notification.Status.DISMISSED,
            dismiss_reason=Notification.DismissReason.SUPERSEDED,
            dismiss_note=note,
            dismissed_at=now,
            updated_at=now,
        ):
            withdrawn.append(pk)
            events.append({
                "notification_id": pk,
                "kind": NotificationEvent.Kind.WITHDRAWN,
                "occurred_at": now,
                "source": source,
                "metadata": metadata,
            })  # fmt: skip
    insert_rows(NotificationEvent, events)
    return withdrawn


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
        "data_hash": item.data_hash,
        "data_snapshot": item.data_snapshot,
    }
