"""django-import-export resources for the admin upload and export.

The column names are the supplier's exact CSV headers. An upload is read by
the importer's own reader (`ContractCSV`: encoding, quoting and header checks)
and its rows are validated by the same RowParser the import_datasets command
uses (customers/importing), so the admin and the command cannot disagree
about what a good row is. Each bad row becomes a ValidationError reading
`file:line: column=value: reason`, which the admin's dry-run preview lists
per row; warnings are kept on the result (`result.warnings`) for the admin to
show.
"""

import datetime as dt
import io
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.db import models as dj_models
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Error, Result

from customers import models
from customers.importing import selectors
from customers.importing.lock import lock_imports
from customers.importing.parsers import LONDON
from customers.importing.reader import CsvSource, FileProblem
from customers.importing.results import AsOf, FileSummary, ImportFailed, ImportResult, Problems, RowError
from customers.importing.rows import RowParser
from customers.importing.schema import SPECS, FileSpec, ParseContext
from customers.importing.timeline import ImportState, Timeline

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would evaluate, so it is shown as text.

    The library's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips a
    leading "=", which leaves +, - and @ formulae live.
    """
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


class SafeTextWidget(widgets.CharWidget):
    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return neutralise(super().render(value, obj, **kwargs) or "")


class YesNoWidget(widgets.Widget):
    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return "" if value is None else ("Yes" if value else "No")


class LondonDateTimeWidget(widgets.Widget):
    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if value else ""


class PlainWidget(widgets.Widget):
    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return "" if value is None else str(value)


def _widget_for(model_field: dj_models.Field) -> widgets.Widget:
    if isinstance(model_field, dj_models.ForeignKey):
        return widgets.ForeignKeyWidget(models.Customer, "customer_id")
    if isinstance(model_field, dj_models.BooleanField):
        return YesNoWidget()
    if isinstance(model_field, dj_models.DateTimeField):
        return LondonDateTimeWidget()
    if isinstance(model_field, dj_models.CharField | dj_models.TextField) and not model_field.choices:
        return SafeTextWidget()
    return PlainWidget()


def _to_model_value(model_field: dj_models.Field, value: object) -> object:
    """The parser's driver-ready value → what the model attribute expects."""
    if value is None:
        return None
    if isinstance(model_field, dj_models.DateTimeField):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if isinstance(model_field, dj_models.DateField):
        return dt.date.fromisoformat(value)
    if isinstance(model_field, dj_models.DecimalField):
        return Decimal(value)
    return value


class UploadedDataset(tablib.Dataset):
    """The rows of an upload, with what the reader learnt about the file."""

    def __init__(self, headers: list[str], encoding: str) -> None:
        super().__init__(headers=headers)
        self.encoding = encoding
        self.lines: list[int] = []  # the physical line each row starts on
        self.notes: list[FileProblem] = []  # odd but readable: warnings

    def __bool__(self) -> bool:
        # A header-only file is an empty file (reported as a warning), not
        # "no valid data" as the library would have it.
        return True


class ContractCSV(base_formats.CSV):
    """The importer's CSV reader for one file of the contract (see `upload_format`).

    Reads the upload's bytes itself (UTF-8 or Windows-1252, strict quoting,
    header checks); any problem that makes the file unreadable is raised as a
    FileProblem for the admin to show on the form.
    """

    spec: FileSpec

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream: bytes, **kwargs: object) -> UploadedDataset:
        with CsvSource(io.BytesIO(in_stream)) as source:
            records = source.open(self.spec)
            dataset = UploadedDataset(source.header, source.encoding.label)
            width = len(source.header)
            for line, record in records:
                if len(record) != width:
                    raise FileProblem(line, "row", f"{len(record)} fields", f"expected {width} fields")
                dataset.append(record)
                dataset.lines.append(line)
            dataset.notes = source.notes
        return dataset


def upload_format(spec: FileSpec) -> type[ContractCSV]:
    return type(f"{spec.model.__name__}CSV", (ContractCSV,), {"spec": spec, "__module__": __name__})


class PlainError(Error):
    """An import error shown without its traceback: server paths are not for the page."""

    traceback = ""


class ContractResource(resources.ModelResource):
    """Base for the five resources; `spec` names the file it reads and writes."""

    spec: FileSpec

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._parser: RowParser | None = None
        self._existing: dict[tuple, str] = {}
        self._seen: dict[tuple, int] = {}
        self._parsed: tuple[list[object], tuple, str, object] | None = None
        self._file = self.spec.filename
        self._lines: list[int] = []
        self.warnings: list[RowError] = []
        self.errors: list[RowError] = []
        self._state = ImportState(started=timezone.now())
        self._timeline: Timeline | None = None

    def get_error_result_class(self) -> type[Error]:
        return PlainError

    def before_import(self, dataset, **kwargs):  # noqa: ANN001 - library signature
        # The header was checked when the upload was read (ContractCSV).
        lock_imports()
        self._file = str(kwargs.get("file_name") or self.spec.filename)
        self._lines = list(getattr(dataset, "lines", []))
        self.warnings = [
            RowError(self._file, n.line, n.column, n.value, n.reason) for n in getattr(dataset, "notes", [])
        ]
        context = ParseContext(
            customers=selectors.customer_pks() if self.spec.has_customer_fk else {},
            customer_start=selectors.customer_start_dates() if self.spec.uses_start_dates else {},
        )
        self._parser = RowParser(self.spec, self.spec.headers, context)
        self._existing = selectors.existing_hashes(self.spec)
        self._seen = {}
        self._state = ImportState(started=timezone.now())
        self._timeline = Timeline(self.spec, self._file, self._parser, self._state)

    def after_import(self, dataset, result, **kwargs):  # noqa: ANN001 - library signature
        # What the admin shows and the upload's ImportRun keeps (customers/admin.py): the same
        # warnings and as-of time (the newest date in the file) the command would report.
        if self._timeline is not None:
            self._timeline.finish()
        result.warnings = self.warnings + self._state.warnings.kept  # future-dated rows, from the timeline
        result.row_problems = list(self.errors)
        result.as_of = AsOf(self._state.newest)
        result.encoding = getattr(dataset, "encoding", "")

    def before_import_row(self, row, row_number=None, **kwargs):  # noqa: ANN001 - library signature
        if self._parser is None:
            raise ValidationError("not checked: the file could not be read (see the error above)")
        index = (row_number or 1) - 1
        line = self._lines[index] if index < len(self._lines) else index + 2  # the header is line 1
        # The parser was built with spec.headers as its header: the record in that order.
        record = ["" if row.get(h) is None else str(row.get(h)) for h in self.spec.headers]
        result = self._parser.parse(record)
        if isinstance(result, list):
            self._refuse([RowError(self._file, line, e.column, e.value, e.reason) for e in result])
        key = result[1]
        if key in self._seen:
            column, value = self._parser.key_label(record)  # as the command names it
            self._refuse([RowError(self._file, line, column, value, f"duplicate of line {self._seen[key]}")])
        self._seen[key] = line
        for warning in result[3] or ():
            self.warnings.append(RowError(self._file, line, warning.column, warning.value, warning.reason))
        timeline = self._timeline
        if timeline is not None and timeline.index is not None and result[0][timeline.index] > timeline.newest:
            timeline.see(result[0], record, line)
        self._parsed = result

    def _refuse(self, errors: list[RowError]) -> None:
        """The row's errors, one `file:line: column=value: reason` each, for the preview and the run."""
        self.errors.extend(errors)
        raise ValidationError({e.column: [str(e)] for e in errors})

    def get_instance(self, instance_loader, row):  # noqa: ANN001 - library signature
        key = self._parsed[1]
        if key not in self._existing:
            return None  # new row: no query needed
        lookup = {}
        for name, value in zip(self.spec.natural_key, key, strict=True):
            field = self._meta.model._meta.get_field(name)
            lookup[field.attname] = _to_model_value(field, value)
        return self._meta.model.objects.filter(**lookup).first()

    def import_instance(self, instance, row, **kwargs):  # noqa: ANN001 - library signature
        values, _key, digest, _warnings = self._parsed
        for column, value in zip(self.spec.columns, values, strict=True):
            field = self._meta.model._meta.get_field(column.field)
            setattr(instance, field.attname, _to_model_value(field, value))
        for name, value in self.spec.constants:
            setattr(instance, name, value)
        instance.source_hash = digest

    def skip_row(self, instance, original, row, import_validation_errors=None):  # noqa: ANN001
        # Unchanged rows (same source values) are reported as skipped, not updated.
        return bool(original and original.pk and original.source_hash == instance.source_hash)


def _resource_for(spec: FileSpec) -> type[ContractResource]:
    attrs: dict[str, object] = {"spec": spec, "__module__": __name__}
    for column in spec.columns:
        model_field = spec.model._meta.get_field(column.field)
        attrs[column.field] = fields.Field(
            attribute=column.field, column_name=column.header, widget=_widget_for(model_field)
        )
    attrs["Meta"] = type(
        "Meta",
        (),
        {
            "model": spec.model,
            "fields": tuple(c.field for c in spec.columns),
            "import_id_fields": spec.natural_key,
            "use_transactions": True,
            "skip_unchanged": True,
            "report_skipped": True,
        },
    )
    return type(f"{spec.model.__name__}Resource", (ContractResource,), attrs)


RESOURCES: dict[type[dj_models.Model], type[ContractResource]] = {spec.model: _resource_for(spec) for spec in SPECS}


def upload_outcome(
    spec: FileSpec, result: Result, *, file_name: str, as_of: dt.datetime | None = None
) -> ImportResult | ImportFailed:
    """An admin upload's result in the command's terms, for its ImportRun (customers/importing/runs.py).

    `as_of`: what the admin typed, else the newest date in the file.
    """
    totals = result.totals
    warnings, errors = Problems("warning"), Problems("problem")
    for warning in getattr(result, "warnings", ()):
        warnings.add(warning)
    for error in getattr(result, "row_problems", ()):
        errors.add(error)
    for number, row_errors in [(0, result.base_errors), *result.row_errors()]:
        for error in row_errors:  # not a rule's refusal: the database or the library raised
            errors.add(RowError(file_name, number + 1 if number else 0, "row", "", str(error.error)))
    summary = FileSummary(
        file=file_name,
        dataset=spec.key,
        rows=result.total_rows,
        created=totals.get("new", 0),
        updated=totals.get("update", 0),
        unchanged=totals.get("skip", 0),
        errors=errors.count,
        warnings=warnings.count,
        encoding=getattr(result, "encoding", ""),
    )
    data_as_of = AsOf(as_of, given=True) if as_of is not None else getattr(result, "as_of", AsOf(None))
    if errors.count:
        return ImportFailed(errors, warnings, [summary], data_as_of)
    return ImportResult([summary], warnings, data_as_of)
