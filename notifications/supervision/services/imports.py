""" "Import all five": keep the uploaded files, then import them in a Celery task with progress.

The import itself is `customers.importing.import_datasets` (the same rules,
atomicity and fast path as the `import_datasets` command). It runs in one
transaction, so progress cannot be written to the database while it runs (the
page would not see it before the commit, and on SQLite a second writer would
wait for the lock): it goes to `progress.json` beside the files instead, and
the row gets the final counts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from customers.importing import FileProblemAtWrite, FileSummary, ImportBusy, ImportFailed, import_datasets
from customers.importing.runs import announce, outcome_fields
from customers.importing.schema import SPECS_BY_KEY
from customers.models import ImportRun
from notifications.common.transitions import apply_transition, move_rows
from notifications.staff.models import AuditEvent
from notifications.staff.services import record_staff_action

logger = logging.getLogger(__name__)

PROGRESS_FILE = "progress.json"
PROGRESS_EVERY_SECONDS = 1.0


def run_directory(run: ImportRun) -> Path:
    return Path(run.directory)


def create_import_run(  # noqa: ANN001
    files: Mapping[str, UploadedFile], *, user, as_of: dt.datetime | None = None
) -> ImportRun:
    """Store the uploads under IMPORTS_DIR/<id>/ under the contract's file names and queue the import.

    `as_of`: when the supplier says the data was true (else the newest date in the files).
    """
    unknown = set(files) - set(SPECS_BY_KEY)
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_by=user if getattr(user, "is_authenticated", False) else None,
            files={key: Path(upload.name).name for key, upload in files.items()},
            as_of=as_of,
            as_of_given=as_of is not None,
        )
        directory = Path(settings.IMPORTS_DIR) / str(run.pk)
        directory.mkdir(parents=True, exist_ok=True)
        for key, upload in files.items():
            with open(directory / SPECS_BY_KEY[key].filename, "wb") as out:
                for chunk in upload.chunks():  # streamed: large files never sit in memory whole
                    out.write(chunk)
        run.directory = str(directory)
        run.save(update_fields=["directory"])
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:

    try:
        from notifications.supervision.tasks import run_import_task  # tasks.py imports this module

        run_import_task.delay(run_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the row instead of queuing forever
        move_rows(
            ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED),
            ImportRun.Status.FAILED,
            errors=f"Could not reach the task queue: {exc}",
            finished_at=timezone.now(),
        )


def read_progress(run: ImportRun) -> dict[str, int]:
    """Rows read so far per dataset, while the task runs (from the progress file)."""
    if run.is_finished:
        return dict(run.progress or {})
    try:
        return json.loads((run_directory(run) / PROGRESS_FILE).read_text())
    except (OSError, ValueError):
        return {}


class _ProgressWriter:
    def __init__(self, directory: Path) -> None:
        self.path = directory / PROGRESS_FILE
        self.rows: dict[str, int] = {}
        self.last = 0.0

    def __call__(self, summary: FileSummary) -> None:
        self.rows[summary.dataset] = summary.rows
        if time.monotonic() - self.last >= PROGRESS_EVERY_SECONDS:
            self.flush()

    def flush(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.rows))
        os.replace(tmp, self.path)  # atomic: the page never reads half a file
        self.last = time.monotonic()


def run_import(run_id: int) -> ImportRun:
    """Import a stored upload (the Celery task's body). Idempotent: a finished run is left alone, and a
    redelivered one imports again, which is safe because the import is atomic and re-imports change nothing."""
    run = ImportRun.objects.get(pk=run_id)
    if run.is_finished:
        return run
    if not apply_transition(run, ImportRun.Status.RUNNING, started_at=timezone.now()):
        run.refresh_from_db()  # finished by another delivery meanwhile
        return run
    directory = run_directory(run)
    sources = {key: directory / SPECS_BY_KEY[key].filename for key in run.files}
    progress = _ProgressWriter(directory)
    as_of = run.as_of if run.as_of_given else None
    try:
        outcome = outcome_fields(import_datasets(sources, progress=progress, as_of=as_of))
    except ImportFailed as failed:
        outcome = outcome_fields(failed)
    except (FileProblemAtWrite, ImportBusy, ValueError, OSError) as exc:
        outcome = {"status": ImportRun.Status.FAILED, "error_count": 1, "errors": str(exc)}
    except Exception as exc:  # noqa: BLE001 - e.g. a database error or the soft time limit
        # The run must still end: left "running", its page would poll for ever and nobody would know.
        # Nothing was written (the import is one transaction), so FAILED is the truth.
        logger.exception("import run %s failed unexpectedly", run.pk)
        errors = f"The import stopped unexpectedly ({type(exc).__name__}: {exc}); nothing was imported."
        outcome = {"status": ImportRun.Status.FAILED, "error_count": 1, "errors": errors}
    outcome.setdefault("progress", progress.rows)  # ended by an exception: what had been read
    outcome.setdefault("finished_at", timezone.now())
    apply_transition(run, outcome.pop("status"), **outcome)
    _audit(run)
    announce(run)  # e.g. drafts written from the old facts leave the queue
    return run


def _audit(run: ImportRun) -> None:
    counts = {
        s["file"]: {k: s[k] for k in ("rows", "created", "updated", "unchanged", "errors")} for s in run.summaries
    }
    outcome = "imported" if run.status == ImportRun.Status.SUCCEEDED else f"failed ({run.error_count} problem(s))"
    record_staff_action(
        run.created_by,
        AuditEvent.Action.IMPORTED,
        run,
        {"files": run.files, "counts": counts, "status": run.status, "errors": run.error_count},
        summary=f"Import {run.pk} {outcome}: {', '.join(run.files.values())}",
    )
