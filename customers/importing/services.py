"""import_datasets: validate and upsert the supplier files in one transaction.

Single pass per file: records stream from the CSV reader through the
RowParser into batches for the BatchWriter. The first bad row stops writing
but not checking, so the user gets every bad row of every file in one run;
the transaction is then rolled back and nothing is stored.
"""

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError, transaction

from customers.importing import selectors
from customers.importing import writer as writers
from customers.importing.reader import CsvSource, FileProblem
from customers.importing.rows import RowParser
from customers.importing.schema import SPECS, SPECS_BY_KEY, FileSpec

Source = Path | str | BinaryIO
ProgressCallback = Callable[["FileSummary"], None]

DEFAULT_BATCH_SIZE = 5_000
ERRORS_KEPT = 1_000  # every error is counted, only this many are kept for display


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{self.file}:{self.line}: {self.column}={value}: {self.reason}"


@dataclass
class FileSummary:
    file: str
    dataset: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> int:
        return int(self.rows / self.seconds) if self.seconds else 0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "seconds": round(self.seconds, 3), "rows_per_second": self.rows_per_second}

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged ({self.rows_per_second:,} rows/s)"
        )


class ImportFailed(Exception):
    """Some rows were bad; nothing was written."""

    def __init__(self, errors: list[RowError], error_count: int, summaries: list[FileSummary]) -> None:
        super().__init__(f"{error_count} problem(s) found; nothing was imported")
        self.errors = errors
        self.error_count = error_count
        self.summaries = summaries

    def report_lines(self) -> list[str]:
        """One line per kept error, then a count of those not kept (see ERRORS_KEPT)."""
        hidden = self.error_count - len(self.errors)
        return [str(e) for e in self.errors] + ([f"… and {hidden} more problem(s)"] if hidden else [])


class FileProblemAtWrite(Exception):
    """The database refused a validated batch: the rules and the schema disagree."""

    def __init__(self, name: str, line: int, exc: Exception) -> None:
        super().__init__(f"{name}: database rejected a batch ending at line {line}: {exc}")


@dataclass
class _Run:
    """State shared by the files of one import."""

    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    customers: dict[str, int] | None = None

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < ERRORS_KEPT:
            self.errors.append(error)

    @property
    def failed(self) -> bool:
        return self.error_count > 0


class _AnyCustomer(dict):
    """Customer lookup that accepts any non-empty ID (nothing will be written)."""

    def get(self, key: str, default: int | None = None) -> int | None:
        return 0 if key.strip() else default


def find_dataset_files(directory: Path) -> dict[str, Path]:
    """The contract's files present in a folder; anything else there is ignored."""
    return {spec.key: directory / spec.filename for spec in SPECS if (directory / spec.filename).is_file()}


def import_datasets(
    sources: Mapping[str, Source],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
) -> list[FileSummary]:
    """Import files keyed by dataset ("profiles", "activity", …) atomically.

    Raises ImportFailed (after rolling back) listing every bad row if any file
    has one; otherwise returns one summary per file, profiles first.
    """
    unknown = set(sources) - set(SPECS_BY_KEY)
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    run = _Run()
    summaries: list[FileSummary] = []
    with transaction.atomic():
        for spec in SPECS:
            if spec.key in sources:
                summaries.append(_import_one(spec, sources[spec.key], run, batch_size, progress))
        if run.failed:
            # Raising inside atomic() rolls back whatever earlier files wrote.
            raise ImportFailed(run.errors, run.error_count, summaries)
    return summaries


def import_file(
    dataset: str, source: Source, *, batch_size: int = DEFAULT_BATCH_SIZE, progress: ProgressCallback | None = None
) -> FileSummary:
    """Import a single file (see import_datasets)."""
    return import_datasets({dataset: source}, batch_size=batch_size, progress=progress)[0]


def _display_name(source: Source, spec: FileSpec) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(getattr(source, "name", None) or spec.filename).name


def _import_one(
    spec: FileSpec, source: Source, run: _Run, batch_size: int, progress: ProgressCallback | None
) -> FileSummary:
    return _FileImport(spec, _display_name(source, spec), run, batch_size, progress).run(source)


class _FileImport:
    """One file's single pass: read → validate → classify → batch → write."""

    def __init__(
        self, spec: FileSpec, name: str, run: _Run, batch_size: int, progress: ProgressCallback | None
    ) -> None:
        self.spec, self.name, self.shared = spec, name, run
        self.batch_size, self.progress = batch_size, progress
        self.summary = FileSummary(file=name, dataset=spec.key)
        self.started = time.perf_counter()
        # Natural key → stored source_hash, then → line number once seen in
        # this file: one dict serves both the created/updated/unchanged count
        # and the duplicate-key check.
        self.state: dict[tuple, str | int] = {}

    def run(self, source: Source) -> FileSummary:
        spec, shared = self.spec, self.shared
        errors_before = shared.error_count
        if spec.has_customer_fk and shared.customers is None:
            shared.customers = selectors.customer_pks()
        self.state = selectors.existing_hashes(spec)
        unreadable = False
        try:
            with CsvSource(source) as csv_source:
                records = csv_source.open(spec)
                customers = shared.customers if shared.customers is not None else {}
                self._consume(records, RowParser(spec, csv_source.header, customers), writers.writer_for(spec))
        except FileProblem as problem:
            shared.add(RowError(self.name, problem.line, problem.column, problem.value, problem.reason))
            unreadable = True
        if spec.key == "profiles":
            # Later files resolve Customer_ID against the database, plus (when
            # this file failed and so wrote nothing) the IDs it would have
            # created. An unreadable profiles file says nothing about IDs, so
            # they go unchecked rather than flagging every related row.
            shared.customers = _AnyCustomer() if unreadable else selectors.customer_pks()
            if shared.failed and not unreadable:
                shared.customers.update({key[0]: 0 for key, seen in self.state.items() if isinstance(seen, int)})
        self.state = {}
        self.summary.errors = shared.error_count - errors_before
        self.summary.seconds = time.perf_counter() - self.started
        return self.summary

    def _consume(
        self, records: Iterable[tuple[int, list[str]]], parser: RowParser, writer: writers.BatchWriter
    ) -> None:
        # New and changed rows are batched apart: a new row cannot conflict, so
        # the writer may take a cheaper path for it (COPY straight into the table).
        fresh: list[list] = []
        changed: list[list] = []
        parse, state, shared, name, batch_size = parser.parse, self.state, self.shared, self.name, self.batch_size
        rows = created = updated = unchanged = 0
        line = 0
        for line, record in records:
            rows += 1
            if self.progress is not None and rows % batch_size == 0:
                self._report_progress(rows)
            result = parse(record)
            if type(result) is list:
                for error in result:
                    shared.add(RowError(name, line, error.column, error.value, error.reason))
                continue
            values, key, digest = result
            previous = state.get(key)
            if previous is None:
                created += 1
                batch = fresh
            elif type(previous) is int:
                label, value = _key_label(parser, record)
                shared.add(RowError(name, line, label, value, f"duplicate of line {previous}"))
                continue
            elif previous == digest:
                unchanged += 1
                state[key] = line
                continue
            else:
                updated += 1
                batch = changed
            state[key] = line
            if not shared.failed:
                values.append(digest)
                batch.append(values)
                if len(batch) >= batch_size:
                    self._flush(writer, fresh, changed, line)
                    fresh, changed = [], []
        if not shared.failed:
            self._flush(writer, fresh, changed, line, finish=True)
        self.summary.rows, self.summary.created = rows, created
        self.summary.updated, self.summary.unchanged = updated, unchanged

    def _report_progress(self, rows: int) -> None:
        self.summary.rows, self.summary.seconds = rows, time.perf_counter() - self.started
        self.progress(self.summary)

    def _flush(
        self, writer: writers.BatchWriter, fresh: list, changed: list, line: int, *, finish: bool = False
    ) -> None:
        try:
            if fresh:
                writer.write(fresh, new=True)
            if changed:
                writer.write(changed, new=False)
            if finish:
                writer.finish()
        except DatabaseError as exc:
            # Validation mirrors every constraint, so this means the rules and
            # the schema disagree: surface it as an error, not a traceback.
            raise FileProblemAtWrite(self.name, line, exc) from exc


def _key_label(parser: RowParser, record: list[str]) -> tuple[str, str]:
    """('Customer_ID+Last_Login', 'C001+2026-01-02 10:00') for a duplicate-key error."""
    columns = {c.field: (c.header, parser.plan[i][0]) for i, c in enumerate(parser.spec.columns)}
    parts = [columns[f] for f in parser.spec.natural_key]
    return "+".join(h for h, _ in parts), "+".join(record[i] for _, i in parts)
