"""What one import carries from file to file: its problems, and the data's as-of time as the rows go by.

Shared by the bulk importer (services.py) and the admin's per-file upload
(customers/resources.py), so both read the same as-of time from a file and
warn about the same future-dated rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from customers.importing import parsers
from customers.importing.results import Problems, RowError
from customers.importing.rows import RowParser
from customers.importing.schema import FileSpec


@dataclass
class ImportState:
    """State shared by the files of one import."""

    started: dt.datetime
    errors: Problems = field(default_factory=lambda: Problems("problem"))
    warnings: Problems = field(default_factory=lambda: Problems("warning"))
    customers: dict[str, int] | None = None
    newest: dt.datetime | None = None

    @property
    def failed(self) -> bool:
        return self.errors.count > 0

    def saw(self, moment: dt.datetime) -> None:
        if self.newest is None or moment > self.newest:
            self.newest = moment


class Timeline:
    """A file's dated column: its newest value (for the as-of time), and the rows dated after the import began."""

    def __init__(self, spec: FileSpec, name: str, parser: RowParser, run: ImportState) -> None:
        self.name, self.run = name, run
        self.index = spec.index(spec.time_field) if spec.time_field else None
        self.newest = ""  # below any date text
        if self.index is None:
            return
        self.source, self.header, _ = parser.plan[self.index]
        self.is_date = spec.model._meta.get_field(spec.time_field).get_internal_type() == "DateField"
        started = run.started
        if self.is_date:
            self.limit = timezone.localdate(started, parsers.LONDON).isoformat()
            self.future = "in the future (after today)"
        else:
            self.limit = started.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ", "seconds")
            self.future = "in the future (after this import started)"

    def see(self, values: list, record: Sequence[str], line: int) -> None:
        # Called only for a value newer than any before it: the common case
        # costs one comparison in the loop.
        moment = values[self.index]
        if moment > self.limit:
            self.run.warnings.add(RowError(self.name, line, self.header, record[self.source], self.future))
        else:
            self.newest = moment

    def finish(self) -> None:
        if self.newest:
            text = parsers.london_midnight_utc(self.newest) if self.is_date else self.newest
            self.run.saw(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC))
