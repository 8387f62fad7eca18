"""What an import reports: per-file summaries, errors, warnings and the data's as-of time.

Errors and warnings share one shape, `file:line: column=value: reason`. An
error means the row cannot be stored truthfully, so nothing is imported; a
warning means the row is stored as exported and is worth a look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from customers.importing.parsers import LONDON

ERRORS_KEPT = 1_000  # every problem is counted, only this many of each kind are kept for display


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem at one place in one file: an error or a warning."""

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{self.file}:{self.line}: {self.column}={value}: {self.reason}"


@dataclass
class Problems:
    """Every problem counted; the first ERRORS_KEPT kept."""

    noun: str  # "problem" or "warning"
    kept: list[RowError] = field(default_factory=list)
    count: int = 0

    def add(self, problem: RowError) -> None:
        self.count += 1
        if len(self.kept) < ERRORS_KEPT:
            self.kept.append(problem)

    def lines(self) -> list[str]:
        """One line per kept problem, then a count of those not kept."""
        hidden = self.count - len(self.kept)
        return [str(p) for p in self.kept] + ([f"… and {hidden} more {self.noun}(s)"] if hidden else [])


@dataclass
class FileSummary:
    file: str
    dataset: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    encoding: str = ""
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> int:
        return int(self.rows / self.seconds) if self.seconds else 0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "seconds": round(self.seconds, 3), "rows_per_second": self.rows_per_second}

    def __str__(self) -> str:
        warnings = f", {self.warnings} warning(s)" if self.warnings else ""
        return (
            f"{self.file}: {self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged{warnings} (read as {self.encoding}; {self.rows_per_second:,} rows/s)"
        )


@dataclass(frozen=True)
class AsOf:
    """When the data was true: the newest date or time in the files, or what the caller said."""

    moment: dt.datetime | None  # aware; None when no file had a dated row
    given: bool = False

    def __str__(self) -> str:
        if self.moment is None:
            return "unknown (no dated rows)"
        local = self.moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")
        return f"{local} UK time ({'given' if self.given else 'the newest date in the files'})"

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.moment.isoformat() if self.moment else None, "as_of_given": self.given}


@dataclass
class ImportResult(Sequence[FileSummary]):
    """A finished import: one summary per file (profiles first; also the sequence itself), its warnings
    and the data's as-of time."""

    summaries: list[FileSummary]
    warnings: Problems
    as_of: AsOf

    def __getitem__(self, index: int) -> FileSummary:  # type: ignore[override]
        return self.summaries[index]

    def __len__(self) -> int:
        return len(self.summaries)

    def as_dict(self) -> dict[str, object]:
        return report_dict(self.summaries, Problems("problem"), self.warnings, self.as_of)


def report_dict(summaries: Sequence[FileSummary], errors: Problems, warnings: Problems, as_of: AsOf) -> dict:
    """The `--json` shape, for a finished or a failed import alike."""
    return {
        "ok": errors.count == 0,
        "errors": errors.count,
        "warnings": warnings.count,
        **as_of.as_dict(),
        "files": [s.as_dict() for s in summaries],
        "error_lines": errors.lines(),
        "warning_lines": warnings.lines(),
    }


class ImportFailed(Exception):
    """Some rows were bad; nothing was written."""

    def __init__(self, errors: Problems, warnings: Problems, summaries: list[FileSummary], as_of: AsOf) -> None:
        super().__init__(f"{errors.count} problem(s) found; nothing was imported")
        self.problems, self.warnings, self.summaries, self.as_of = errors, warnings, summaries, as_of

    @property
    def errors(self) -> list[RowError]:
        return self.problems.kept

    @property
    def error_count(self) -> int:
        return self.problems.count

    def report_lines(self) -> list[str]:
        return self.problems.lines()

    def as_dict(self) -> dict[str, object]:
        return report_dict(self.summaries, self.problems, self.warnings, self.as_of)


class FileProblemAtWrite(Exception):
    """The database refused a validated batch: the rules and the schema disagree."""

    def __init__(self, name: str, line: int, exc: Exception) -> None:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        super().__init__(f"{name}:{line}: batch=rows up to line {line}: the database refused them ({first})")
