"""Drafts written from facts an import has since changed: out of the queue at once, if nobody has touched them.

A draft keeps the customer data it was written from (`data_hash`, `data_snapshot`). When an import
changes that data, an untouched draft would greet the customer by the previous person's name or
argue from a balance that is no longer true, so it is withdrawn straight away (dismissed,
superseded, the import and what changed in its note and on its trail); the customer is then
re-analysed (notifications/jobs/signals.py). A draft an agent works on stays: the send rules
show the agent what changed and wait for their confirmation (delivery/send_rules.py).
"""

from __future__ import annotations

from notifications.profiles.selectors import load_profiles
from notifications.profiles.snapshot import changed_since
from notifications.queue.models import Notification
from notifications.queue.services.drafts import UNTOUCHED, withdraw_untouched

BATCH = 1_000  # drafts (so profiles) read at a time


def withdraw_drafts_on_changed_data(import_run_id: int, *, batch: int = BATCH) -> dict[int, list[str]]:
    """Withdraw every open, untouched draft whose customer's data no longer matches what it was written
    from; returns customer pk → what changed, for the drafts withdrawn."""
    withdrawn: dict[int, list[str]] = {}
    last = 0
    while True:
        # Keyset pages over the untouched drafts: memory stays flat however long the queue is.
        rows = list(
            Notification.objects.filter(UNTOUCHED, pk__gt=last)
            .exclude(data_hash="")  # drafted before drafts kept their data: nothing to compare
            .order_by("pk")
            .values_list("pk", "customer_id", "data_hash", "data_snapshot")[:batch]
        )
        if not rows:
            return withdrawn
        last = rows[-1][0]
        profiles = load_profiles([customer_pk for _, customer_pk, _, _ in rows])
        notes, customers = {}, {}
        for pk, customer_pk, data_hash, data_snapshot in rows:
            profile = profiles.get(customer_pk)
            changed = changed_since(data_hash, data_snapshot, profile) if profile is not None else []
            if changed:
                reason = (
                    f"Import {import_run_id} changed this customer's data ({'; '.join(changed)}): "
                    "withdrawn so it is not sent on the old facts."
                )
                notes[pk] = (reason, {"import": import_run_id, "changes": changed, "reason": reason})
                customers[pk] = (customer_pk, changed)
        for pk in withdraw_untouched(notes, source="import"):
            customer_pk, changed = customers[pk]
            withdrawn[customer_pk] = changed
