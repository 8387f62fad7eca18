"""import_datasets: validate and upsert the supplier files in one transaction.

Single pass per file: records stream from the CSV reader through the
RowParser into batches for the BatchWriter. The first bad row stops writing
but not checking, so the user gets every bad row of every file in one run;
the transaction is then rolled back and nothing is stored. Odd rows are
stored and reported as warnings. The newest date in the files is the data's
as-of time, unless the caller gives one.
"""

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from django.db import DatabaseError
from django.utils import timezone

from customers.importing import selectors
from customers.importing import writer as writers
from customers.importing.lock import exclusive_import
from customers.importing.reader import CsvSource, FileProblem
from customers.importing.results import (
    AsOf,
    FileProblemAtWrite,
    FileSummary,
    ImportFailed,
    ImportResult,
    RowError,
)
from customers.importing.rows import RowParser
from customers.importing.schema import SPECS, SPECS_BY_KEY, FileSpec, ParseContext
from customers.importing.timeline import ImportState, Timeline

Source = Path | str | BinaryIO
ProgressCallback = Callable[[FileSummary], None]

DEFAULT_BATCH_SIZE = 5_000


class _AnyCustomer(dict):
    """Customer lookup for when the profiles file was unreadable: any non-empty ID
    gets a stand-in pk of its own (nothing will be written)."""

    def get(self, key: str, default: int | None = None) -> int | None:
        key = key.strip()
        return self.setdefault(key, -(len(self) + 1)) if key else default


def find_dataset_files(directory: Path) -> dict[str, Path]:
    """The contract's files present in a folder; anything else there is ignored."""
    return {spec.key: directory / spec.filename for spec in SPECS if (directory / spec.filename).is_file()}


def import_datasets(
    sources: Mapping[str, Source],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    as_of: dt.datetime | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import files keyed by dataset ("profiles", "activity", …) atomically.

    Raises ImportFailed (after rolling back) listing every bad row if any file
    has one, and ImportBusy if another import kept the database locked;
    otherwise returns the summaries (profiles first), the warnings and the
    data's as-of time: `as_of` if given, else the newest date in the files.
    """
    unknown = set(sources) - set(SPECS_BY_KEY)
    if unknown:
        raise ValueError(f"unknown dataset(s): {', '.join(sorted(unknown))}")
    run = ImportState(started=timezone.now())
    summaries: list[FileSummary] = []
    with exclusive_import(on_wait):
        for spec in SPECS:
            if spec.key in sources:
                summaries.append(_import_one(spec, sources[spec.key], run, batch_size, progress))
        data_as_of = AsOf(as_of, given=True) if as_of is not None else AsOf(run.newest)
        if run.failed:
            # Raising inside the transaction rolls back whatever earlier files wrote.
            raise ImportFailed(run.errors, run.warnings, summaries, data_as_of)
    return ImportResult(summaries, run.warnings, data_as_of)


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
    spec: FileSpec, source: Source, run: ImportState, batch_size: int, progress: ProgressCallback | None
) -> FileSummary:
    return _FileImport(spec, _display_name(source, spec), run, batch_size, progress).run(source)


class _FileImport:
    """One file's single pass: read → validate → classify → batch → write."""

    def __init__(
        self, spec: FileSpec, name: str, run: ImportState, batch_size: int, progress: ProgressCallback | None
    ) -> None:
        self.spec, self.name, self.shared = spec, name, run
        self.batch_size, self.progress = batch_size, progress
        self.summary = FileSummary(file=name, dataset=spec.key)
        self.started = time.perf_counter()
        # Natural key → stored source_hash, then → line number once seen in
        # this file: one dict serves both the created/updated/unchanged count
        # and the duplicate-key check.
        self.state: dict[tuple, str | int] = {}
        # Customer_IDs of profile rows that failed: later files may refer to them.
        self.failed_ids: list[str] = []

    def run(self, source: Source) -> FileSummary:
        spec, shared = self.spec, self.shared
        errors_before, warnings_before = shared.errors.count, shared.warnings.count
        if spec.has_customer_fk and shared.customers is None:
            shared.customers = selectors.customer_pks()
        self.state = selectors.existing_hashes(spec)
        context = ParseContext(
            customers=shared.customers if shared.customers is not None else {},
            customer_start=selectors.customer_start_dates() if spec.uses_start_dates else {},
        )
        unreadable = False
        with CsvSource(source) as csv_source:
            try:
                records = csv_source.open(spec)
                self._consume(records, RowParser(spec, csv_source.header, context), writers.writer_for(spec))
            except FileProblem as problem:
                shared.errors.add(RowError(self.name, problem.line, problem.column, problem.value, problem.reason))
                unreadable = True
            for note in csv_source.notes:
                shared.warnings.add(RowError(self.name, note.line, note.column, note.value, note.reason))
            self.summary.encoding = csv_source.encoding.label
        if spec.key == "profiles":
            self._share_customer_ids(unreadable)
        self.state = {}
        self.summary.errors = shared.errors.count - errors_before
        self.summary.warnings = shared.warnings.count - warnings_before
        self.summary.seconds = time.perf_counter() - self.started
        return self.summary

    def _share_customer_ids(self, unreadable: bool) -> None:
        """Later files resolve Customer_ID against the database plus, when this
        file failed (so wrote nothing), the IDs it would have created, each
        with a stand-in pk of its own, so no file reports a false error
        because of another file's bad row. An unreadable profiles file says
        nothing about IDs, so they go unchecked."""
        shared = self.shared
        if unreadable:
            shared.customers = _AnyCustomer()
            return
        shared.customers = selectors.customer_pks()
        if shared.failed:
            would_create = [key[0] for key, seen in self.state.items() if isinstance(seen, int)]
            for customer_id in (*would_create, *self.failed_ids):
                shared.customers.setdefault(customer_id, -(len(shared.customers) + 1))

    def _consume(
        self, records: Iterable[tuple[int, list[str]]], parser: RowParser, writer: writers.BatchWriter
    ) -> None:
        # New and changed rows are batched apart: a new row cannot conflict, so
        # the writer may take a cheaper path for it (COPY straight into the table).
        fresh: list[list] = []
        changed: list[list] = []
        parse, state, shared, name, batch_size = parser.parse, self.state, self.shared, self.name, self.batch_size
        errors, warnings = shared.errors, shared.warnings
        profiles = self.spec.key == "profiles"
        when = Timeline(self.spec, name, parser, shared)
        rows = created = updated = unchanged = 0
        line = 0
        for line, record in records:
            rows += 1
            if self.progress is not None and rows % batch_size == 0:
                self._report_progress(rows)
            result = parse(record)
            if type(result) is list:
                for error in result:
                    errors.add(RowError(name, line, error.column, error.value, error.reason))
                if profiles and (customer_id := parser.customer_id(record)):
                    self.failed_ids.append(customer_id)
                continue
            values, key, digest, found = result
            if found is not None:
                for warning in found:
                    warnings.add(RowError(name, line, warning.column, warning.value, warning.reason))
            if when.index is not None and values[when.index] > when.newest:
                when.see(values, record, line)
            previous = state.get(key)
            if previous is None:
                created += 1
                batch = fresh
            elif type(previous) is int:
                label, value = parser.key_label(record)
                errors.add(RowError(name, line, label, value, f"duplicate of line {previous}"))
                continue
            elif previous == digest:
                unchanged += 1
                state[key] = line
                continue
            else:
                updated += 1
                batch = changed
            state[key] = line
            if not errors.count:
                values.append(digest)
                batch.append(values)
                if len(batch) >= batch_size:
                    self._flush(writer, fresh, changed, line)
                    fresh, changed = [], []
        if not errors.count:
            self._flush(writer, fresh, changed, line, finish=True)
        when.finish()
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
