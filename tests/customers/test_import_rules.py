"""The single rule set (customers/importing/schema.py) mirrors the models' constraints."""

import pytest
from django.db import models as dj_models

from customers.importing import import_file
from customers.importing.parsers import date, london_datetime
from customers.importing.schema import SPECS
from tests.factories import PROFILE_HEADER, write_csv

COLUMNS = [
    (spec, column, spec.model._meta.get_field(column.field))
    for spec in SPECS
    for column in spec.columns
    if column.parse is not None and spec.key != "contacts"  # addresses: tests/customers/test_contact_parsers.py
]
CHOICES = [(c, f) for _, c, f in COLUMNS if f.choices]
TEXTS = [(c, f) for _, c, f in COLUMNS if isinstance(f, dj_models.CharField) and not f.choices]


def test_every_model_field_from_the_source_has_a_column():
    for spec in SPECS:
        imported = {c.field for c in spec.columns}
        fixed = {name for name, _ in spec.constants}
        stored = {f.name for f in spec.model._meta.concrete_fields} - {"id", "source_hash", "updated_at"} - fixed
        assert imported == stored, spec.key


@pytest.mark.parametrize(("column", "field"), CHOICES, ids=[str(f) for _, f in CHOICES])
def test_choices_match_the_model(column, field):
    for value in field.get_choices(include_blank=False):
        assert column.parse(value[0]) == value[0]
    with pytest.raises(ValueError, match="not one of"):
        column.parse(field.choices[0][0].lower() + "x")


@pytest.mark.parametrize(("column", "field"), TEXTS, ids=[str(f) for _, f in TEXTS])
def test_text_length_and_required_match_the_model(column, field):
    assert column.parse("x" * field.max_length) == "x" * field.max_length
    with pytest.raises(ValueError, match="longer than"):
        column.parse("x" * (field.max_length + 1))
    if field.blank:
        assert column.parse("") == ""
    else:
        with pytest.raises(ValueError, match="required"):
            column.parse("")


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2026-01-15 09:05", "2026-01-15 09:05:00"),  # GMT
        ("2026-07-15 09:05:30", "2026-07-15 08:05:30"),  # BST, with seconds
        ("2026-03-29 00:59", "2026-03-29 00:59:00"),  # last minute of GMT
        ("2026-03-29 02:00", "2026-03-29 01:00:00"),  # first minute of BST
        ("2026-03-29 01:15", "2026-03-29 01:15:00"),  # in the gap: wall clock shifted forward
        ("2026-10-25 01:15", "2026-10-25 00:15:00"),  # repeated hour: the first (BST) one
        ("2026-10-25 02:15", "2026-10-25 02:15:00"),  # back on GMT
    ],
)
def test_london_time_across_clock_changes(raw, utc):
    assert london_datetime()(raw) == utc


@pytest.mark.parametrize("raw", ["2026-1-15 09:05", "15.01.2026 09:05", "2026-01-15 9:05", "2026-01-15", "soon"])
def test_datetime_shapes_rejected(raw):
    with pytest.raises(ValueError, match="not a date-time"):
        london_datetime()(raw)


def test_month_first_dates_are_named_as_such():
    with pytest.raises(ValueError, match=r"dates are read day-first \(DD/MM/YYYY\); this looks month-first"):
        london_datetime()("01/15/2026 09:05")


@pytest.mark.django_db
def test_column_order_does_not_matter_and_does_not_change_the_hash(tmp_path):
    row = "C001,Ann Reid,42,Edinburgh,Email,Engaged,Yes,Low,2020-01-31,7"
    import_file("profiles", write_csv(tmp_path / "a.csv", PROFILE_HEADER, row))
    header, values = PROFILE_HEADER.split(","), row.split(",")
    order = list(reversed(range(len(header))))
    shuffled = write_csv(tmp_path / "b.csv", ",".join(header[i] for i in order), ",".join(values[i] for i in order))
    summary = import_file("profiles", shuffled)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


@pytest.mark.parametrize("raw", ["30/09/2025 00:00", "30/09/2025 00:00:00", "2025-09-30 00:00", "2025-09-30T00:00:00"])
def test_a_date_cell_excel_saved_with_a_midnight_time_is_that_date(raw):
    assert date()(raw) == "2025-09-30"


@pytest.mark.parametrize("raw", ["30/09/2025 11:31", "2025-09-30T00:00:00Z"])
def test_a_date_with_a_time_of_day_is_not_a_date(raw):
    with pytest.raises(ValueError, match="not a date"):
        date()(raw)
