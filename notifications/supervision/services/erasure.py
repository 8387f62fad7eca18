"""Erasing a customer (a GDPR erasure request): the one way rows leave the append-only tables.

The audit trail, the delivery event trail and consent changes refuse UPDATE and DELETE in the
database (notifications/common/append_only.py). An erasure must still remove them, so it switches the
transaction-local erasure flag on around the delete. Deleting a Customer any other way (the admin's
delete) also sets it, from notifications/staff/signals.py, so the cascade is never half-refused.

Decided deliberately:
- The customer's drafts, their event trail and consent changes go with the customer (the models'
  on_delete=CASCADE): they are the customer's personal data.
- Audit events about the customer go too (their summaries and diffs hold the message text).
- One new "customer erased" event is written, with the customer's supplier ID and the counts
  only, as the record that the request was carried out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from customers.models import Customer
from notifications.common.append_only import set_erasure_flag
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_staff_action


@contextmanager
def allow_erasure(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """A transaction in which the append-only tables accept DELETE (never UPDATE)."""
    connection = connections[using]
    with transaction.atomic(using=using):
        set_erasure_flag(connection, True)
        yield
        # Off again before the commit: on SQLite the flag is a row that would otherwise be committed.
        set_erasure_flag(connection, False)


@dataclass(frozen=True)
class ErasureOutcome:
    customer_ref: str
    rows_deleted: dict[str, int]  # model label -> rows


def erase_customer(customer: Customer, *, user) -> ErasureOutcome:  # noqa: ANN001 - the user asking
    """Delete the customer, everything that cascades from it and the audit events about it."""
    ref = str(customer.customer_id)
    with allow_erasure():
        # The base manager's plain QuerySet: AuditEvent.objects refuses delete() in code on purpose.
        audit_deleted, _ = AuditEvent._base_manager.filter(customer_ref=ref).delete()
        _, per_model = customer.delete()
        counts = {label: n for label, n in per_model.items() if n}
        if audit_deleted:
            counts[AuditEvent._meta.label] = audit_deleted
        record_staff_action(
            user,
            AuditEvent.Action.ERASED,
            None,
            {"deleted": counts},
            summary=f"Customer {ref} erased ({sum(counts.values())} row(s) deleted)",
            customer_ref=ref,
        )
    return ErasureOutcome(customer_ref=ref, rows_deleted=counts)
