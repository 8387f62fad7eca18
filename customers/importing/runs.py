"""What an import leaves behind: its ImportRun row, with counts, errors, warnings and the data's as-of time.

Every path records one (the command, the admin's per-file upload, "import all five"), and each tells
the apps above once its data has committed (`customers.signals.data_imported`), so they can react to
the new data, e.g. take drafts written from the old facts out of the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from customers.importing.results import ImportFailed, ImportResult
from customers.models import ImportRun
from customers.signals import data_imported

log = logging.getLogger(__name__)


def outcome_fields(outcome: ImportResult | ImportFailed) -> dict[str, object]:
    """A finished import's outcome as its run's fields, the final status among them."""
    fields: dict[str, object] = {
        "summaries": [s.as_dict() for s in outcome.summaries],
        "warning_count": outcome.warnings.count,
        "warnings": "\n".join(outcome.warnings.lines()),
        "as_of": outcome.as_of.moment,
        "as_of_given": outcome.as_of.given,
        "progress": {s.dataset: s.rows for s in outcome.summaries},
        "finished_at": timezone.now(),
    }
    if isinstance(outcome, ImportFailed):
        errors = "\n".join(outcome.report_lines())
        return {**fields, "status": ImportRun.Status.FAILED, "error_count": outcome.error_count, "errors": errors}
    return {**fields, "status": ImportRun.Status.SUCCEEDED, "error_count": 0, "errors": ""}


def record_run(
    outcome: ImportResult | ImportFailed,
    *,
    files: Mapping[str, str],
    directory: str = "",
    user: AbstractBaseUser | None = None,
) -> ImportRun:
    """An import that has finished (its data committed, or nothing written), stored with its outcome and
    announced. `files`: dataset key → the file's name as uploaded or given."""
    run = ImportRun(
        created_by=user if getattr(user, "is_authenticated", False) else None,
        started_at=timezone.now(),
        directory=directory,
        files=dict(files),
        **outcome_fields(outcome),
    )
    run.save()
    run.reactions = announce(run)
    return run


def record_command_run(
    sources: Mapping[str, Path], outcome: ImportResult | ImportFailed, *, user: AbstractBaseUser | None = None
) -> ImportRun:
    """An `import_datasets` run, stored once it has finished, so its as-of time and warnings are kept too."""
    folders = {str(Path(path).parent) for path in sources.values()}
    return record_run(
        outcome,
        files={key: Path(path).name for key, path in sources.items()},
        directory=folders.pop() if len(folders) == 1 else "",
        user=user,
    )


def changed_data(run: ImportRun) -> bool:
    """Whether a finished run stored anything new or different (a re-import of the same files does not)."""
    return run.status == ImportRun.Status.SUCCEEDED and any(
        s.get("created") or s.get("updated") for s in run.summaries or ()
    )


def announce(run: ImportRun) -> list[str]:
    """Send `data_imported` for a run that changed data, once the transaction around us (if any) commits.

    Receivers run after the import's data and this row are committed, so they read the new data. The
    import has succeeded by then whatever they do: a receiver's failure is logged, not raised. Returns
    the sentences receivers answered with (what they did), filled in when they have run: at once
    outside a transaction, as after the command.
    """
    said: list[str] = []
    if not changed_data(run):
        return said

    def send() -> None:
        for receiver, outcome in data_imported.send_robust(sender=ImportRun, run=run):
            if isinstance(outcome, Exception):
                log.error("after import %s: %r failed", run.pk, receiver, exc_info=outcome)
            elif isinstance(outcome, str) and outcome:
                said.append(outcome)

    transaction.on_commit(send)
    return said
