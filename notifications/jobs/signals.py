"""After an import: drafts written from the old facts leave the queue, and their customers are re-analysed.

Wired in JobsConfig.ready() to `customers.signals.data_imported`, which every import path (the
command, the admin's per-file upload, "import all five") sends once its data has committed.

Re-analysis is a selected-customers job, incremental (only customers whose data changed are
analysed), and which analyst runs it is the REANALYSE_AFTER_IMPORT setting:
- "offline" (default): the offline rules, free; an import never spends Bedrock money by itself;
- "provider": the provider in force (admin's Provider settings, else AI_PROVIDER), so with Bedrock
  under the monthly AI budget like any job (once spent, the offline rules answer as fallbacks);
- "off": withdraw only; the next analysis run drafts for these customers again.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from customers.models import ImportRun
from notifications.jobs.services import start_job
from notifications.queue.services.stale import withdraw_drafts_on_changed_data

log = logging.getLogger(__name__)

REANALYSE_MODES = ("offline", "provider", "off")
# Files that feed no profile (so no draft): a change to them alone cannot make a draft stale.
NOT_IN_PROFILES = frozenset({"contacts"})


def reanalyse_after_import() -> str:
    """The REANALYSE_AFTER_IMPORT setting (read here only), "offline" unless set to another mode."""
    mode = settings.REANALYSE_AFTER_IMPORT.strip().lower()
    return mode if mode in REANALYSE_MODES else "offline"


def data_imported(sender, run: ImportRun, **kwargs: object) -> str:  # noqa: ANN001 - signal signature
    """Withdraw the untouched drafts the import made stale, then queue their re-analysis; returns what it did."""
    changed = {s.get("dataset") for s in run.summaries or () if s.get("created") or s.get("updated")}
    if not changed - NOT_IN_PROFILES:
        return ""
    withdrawn = withdraw_drafts_on_changed_data(run.pk)
    if not withdrawn:
        return ""
    said = f"Withdrew {len(withdrawn)} untouched draft(s) written from the customers' old data"
    mode = reanalyse_after_import()
    if mode == "off":
        return f"{said}; the next analysis run drafts for them again."
    before = timezone.now()
    job = start_job(
        provider="offline" if mode == "offline" else None,
        customer_pks=sorted(withdrawn),
        created_by=run.created_by,
    )
    if job.created_at < before:
        # One selected-customers job at a time, and that one was started for others: these customers
        # stay withdrawn (never wrong) until the next run, which analyses them since their data changed.
        said += f"; job {job.pk} for selected customers is still running, so the next analysis run drafts for them"
    else:
        said += f"; re-analysis job {job.pk} {job.status} for their customers"
    log.info("import %s: %s", run.pk, said)
    return said + "."
