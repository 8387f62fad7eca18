"""The real-shaped supplier export in fixtures/sample-export/ and its Windows-1252 twin.

The twin is what Excel's plain "CSV" writes on a UK PC: Windows-1252, day-first
dates, CRLF, no byte-order mark. It must import to exactly the same rows.
"""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from customers import models
from customers.importing import find_dataset_files, import_datasets
from customers.importing.schema import SPECS

pytestmark = pytest.mark.django_db

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "sample-export"
UTF8_EXPORT = EXPORTS / "supplier-2025-09"
WINDOWS_EXPORT = EXPORTS / "supplier-2025-09-windows-1252"
CLICK_ONLY = "clicked but not opened (normal for SMS, push and image-blocking email)"


def import_folder(folder: Path):
    return import_datasets(find_dataset_files(folder))


def stored_rows() -> dict[str, list[tuple]]:
    """Every stored value of every table, keyed by the row's natural key; not pks, hashes or stamps."""
    rows = {}
    for spec in SPECS:
        names = [c.field if c.field != "customer" else "customer__customer_id" for c in spec.columns]
        rows[spec.key] = sorted(spec.model.objects.values_list(*names))
    return rows


def test_the_real_shaped_export_imports_with_its_odd_rows_as_warnings():
    result = import_folder(UTF8_EXPORT)

    assert [(s.file, s.created, s.encoding) for s in result] == [
        ("Customer Profiles.csv", 25, "UTF-8 with BOM"),
        ("Account Activity Logs.csv", 25, "UTF-8 with BOM"),
        ("Interaction History.csv", 12, "UTF-8 with BOM"),
        ("Notification History.csv", 25, "UTF-8 with BOM"),
        ("Recommended Actions.csv", 10, "UTF-8 with BOM"),
        ("Customer Contacts.csv", 25, "UTF-8 with BOM"),
    ]
    statuses = Counter(models.AccountActivity.objects.values_list("account_status", flat=True))
    assert statuses == {"Active": 12, "At Risk": 9, "Dormant": 4}
    clicked_only = models.NotificationHistory.objects.filter(clicked=True, opened=False)
    assert clicked_only.count() == 8
    warnings = [str(w) for w in result.warnings.kept]
    assert len(warnings) == 10
    assert sum(w.endswith(CLICK_ONLY) for w in warnings) == 8
    assert warnings[-1] == (
        "Customer Contacts.csv:2: Mobile=07700 900101: an Ofcom drama number (07700 900xxx): "
        "reserved for fiction, never a real phone (noted once per file)"
    )
    assert (
        "Account Activity Logs.csv:17: Last_Login=2025-07-15 09:30: "
        "before the customer's start date (Customer_Since 2025-08-01)"
    ) in warnings
    assert models.Customer.objects.get(customer_id="PAD707").activities.count() == 1  # "PAD707 " in the activity file
    assert result.as_of.moment == dt.datetime(2025, 9, 28, 10, 31, tzinfo=dt.UTC)  # 11:31 BST


def test_the_windows_1252_twin_imports_to_exactly_the_same_rows():
    utf8 = import_folder(UTF8_EXPORT)
    expected = stored_rows()
    for spec in reversed(SPECS):
        spec.model.objects.all().delete()

    windows = import_folder(WINDOWS_EXPORT)

    # Files with accents or £ are Windows-1252; plain ASCII is the same in both, so it reads as UTF-8.
    assert {s.file: s.encoding for s in windows} == {
        "Customer Profiles.csv": "Windows-1252",
        "Account Activity Logs.csv": "UTF-8",
        "Interaction History.csv": "Windows-1252",
        "Notification History.csv": "UTF-8",
        "Recommended Actions.csv": "UTF-8",
        "Customer Contacts.csv": "UTF-8",
    }
    assert stored_rows() == expected
    assert models.Customer.objects.get(customer_id="PAD701").name == "Seán Ó Briain"
    assert models.Customer.objects.get(customer_id="PAD718").name == "Jürgen Weiß"
    assert windows.as_of == utf8.as_of
    assert [w.reason for w in windows.warnings.kept] == [w.reason for w in utf8.warnings.kept]


def test_importing_the_twin_over_the_original_changes_no_value():
    import_folder(UTF8_EXPORT)
    before = stored_rows()
    import_folder(WINDOWS_EXPORT)  # different bytes (dates, encoding), same facts: updated in place
    assert stored_rows() == before
    assert models.Customer.objects.count() == 25
