"""What an import leaves behind: its ImportRun row, with counts, errors, warnings and the data's as-of time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from customers.importing.results import ImportFailed, ImportResult
from customers.models import ImportRun


def finish_run(run: ImportRun, outcome: ImportResult | ImportFailed) -> None:
    """Copy a finished import's outcome onto its run (the caller saves it)."""
    run.summaries = [s.as_dict() for s in outcome.summaries]
    run.warning_count = outcome.warnings.count
    run.warnings = "\n".join(outcome.warnings.lines())
    run.as_of, run.as_of_given = outcome.as_of.moment, outcome.as_of.given
    if isinstance(outcome, ImportFailed):
        run.status, run.error_count, run.errors = (
            ImportRun.Status.FAILED,
            outcome.error_count,
            "\n".join(outcome.report_lines()),
        )
    else:
        run.status, run.error_count, run.errors = ImportRun.Status.SUCCEEDED, 0, ""
    run.progress = {s.dataset: s.rows for s in outcome.summaries}
    run.finished_at = timezone.now()


def record_command_run(
    sources: Mapping[str, Path], outcome: ImportResult | ImportFailed, *, user: AbstractBaseUser | None = None
) -> ImportRun:
    """An `import_datasets` run, stored once it has finished, so its as-of time and warnings are kept too."""
    folders = {str(Path(path).parent) for path in sources.values()}
    run = ImportRun(
        created_by=user,
        started_at=timezone.now(),
        directory=folders.pop() if len(folders) == 1 else "",
        files={key: Path(path).name for key, path in sources.items()},
    )
    finish_run(run, outcome)
    run.save()
    return run
