"""django-import-export resources for the admin upload and export.

The column names are the supplier's exact CSV headers, and rows are validated
by the same RowParser the import_datasets command uses (customers/importing),
so the admin and the command cannot disagree about what a good row is. Each
bad row becomes a ValidationError naming line, column and value, which the
admin's dry-run preview lists per row.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models as dj_models
from import_export import fields, resources, widgets

from customers import models
from customers.importing import selectors
from customers.importing.parsers import LONDON
from customers.importing.reader import header_problem
from customers.importing.rows import RowParser
from customers.importing.schema import SPECS, FileSpec

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


class ContractResource(resources.ModelResource):
    """Base for the five resources; `spec` names the file it reads and writes."""

    spec: FileSpec

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._parser: RowParser | None = None
        self._existing: dict[tuple, str] = {}
        self._seen: dict[tuple, int] = {}
        self._parsed: tuple[list[object], tuple, str] | None = None

    def before_import(self, dataset, **kwargs):  # noqa: ANN001 - library signature
        headers = [str(h) for h in dataset.headers or []]
        problem = header_problem(self.spec, headers, ",".join(headers))
        if problem:
            raise ValueError(f"{self.spec.filename} header: {problem.reason}")
        customers = selectors.customer_pks() if self.spec.has_customer_fk else {}
        self._parser = RowParser(self.spec, self.spec.headers, customers)
        self._existing = selectors.existing_hashes(self.spec)
        self._seen = {}

    def before_import_row(self, row, row_number=None, **kwargs):  # noqa: ANN001 - library signature
        line = (row_number or 0) + 1  # the header is line 1
        result = self._parser.parse_mapping(row)
        if isinstance(result, list):
            raise ValidationError({e.column: [f"line {line}: {e.column}={e.value}: {e.reason}"] for e in result})
        key = result[1]
        if key in self._seen:
            column = next(c.header for c in self.spec.columns if c.field == self.spec.natural_key[0])
            raise ValidationError({column: [f"line {line}: duplicate natural key, same as line {self._seen[key]}"]})
        self._seen[key] = line
        self._parsed = result

    def get_instance(self, instance_loader, row):  # noqa: ANN001 - library signature
        values, key, _digest = self._parsed
        if key not in self._existing:
            return None  # new row: no query needed
        lookup = {}
        for name, value in zip(self.spec.natural_key, key, strict=True):
            field = self._meta.model._meta.get_field(name)
            lookup[field.attname] = _to_model_value(field, value)
        return self._meta.model.objects.filter(**lookup).first()

    def import_instance(self, instance, row, **kwargs):  # noqa: ANN001 - library signature
        values, _key, digest = self._parsed
        for column, value in zip(self.spec.columns, values, strict=True):
            field = self._meta.model._meta.get_field(column.field)
            setattr(instance, field.attname, _to_model_value(field, value))
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
