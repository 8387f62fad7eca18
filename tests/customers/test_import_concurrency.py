"""Two imports of the same new file at once: the second waits for the first, then finds every row unchanged.

Runs on SQLite (the default; a file database, see conftest) and on PostgreSQL
(DATABASE_URL=postgres://…), where without the import lock the second import
would COPY the same new rows and die on the unique key.
"""

import threading
import time

import pytest
from django.db import OperationalError, connection

from customers import models
from customers.importing import ImportBusy, import_datasets
from customers.importing.lock import exclusive_import
from tests.factories import PROFILE_HEADER, write_csv

ROWS = 300


@pytest.mark.concurrent
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_new_file_at_once(tmp_path):
    rows = [f"C{i:04d},Ann {i},40,Perth,SMS,E,Yes,Low,2020-01-01,7" for i in range(ROWS)]
    path = write_csv(tmp_path / "Customer Profiles.csv", PROFILE_HEADER, *rows)
    second_started = threading.Event()
    outcomes: dict[str, object] = {}
    waits: list[str] = []

    def hold_until_the_second_has_started(summary) -> None:
        if summary.rows == 100:  # mid-file, inside the first import's transaction
            second_started.wait(10)
            time.sleep(0.5)  # long enough for the second to reach the lock

    def run(name: str, **kwargs) -> None:
        try:
            outcomes[name] = import_datasets({"profiles": path}, batch_size=50, on_wait=waits.append, **kwargs)
        except Exception as exc:  # asserted on below
            outcomes[name] = exc
        finally:
            connection.close()  # each thread has its own connection

    first = threading.Thread(target=run, args=("first",), kwargs={"progress": hold_until_the_second_has_started})
    first.start()
    time.sleep(0.2)
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second_started.set()
    first.join(60)
    second.join(60)

    assert not [o for o in outcomes.values() if isinstance(o, Exception)], outcomes
    counts = sorted((o[0].created, o[0].unchanged) for o in outcomes.values())
    assert counts == [(0, ROWS), (ROWS, 0)]
    assert models.Customer.objects.count() == ROWS
    if connection.vendor == "postgresql":
        assert waits == ["Another import is running: waiting for it to finish…"]


@pytest.mark.django_db
def test_a_database_locked_past_the_timeout_is_reported_as_busy():
    busy = pytest.raises(ImportBusy, match="kept the database locked for too long; nothing was imported")
    with busy, exclusive_import():
        raise OperationalError("database is locked")
