"""What an import leaves behind: its ImportRun row, with counts, errors, warnings and the data's as-of time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from customers.importing.results import ImportFailed, ImportResult
from customers.models import ImportRun


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
        **outcome_fields(outcome),
    )
    run.save()
    return run
