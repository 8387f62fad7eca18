"""One import at a time.

Two imports of the same new file at once would both find its rows new and
both COPY them into the table; the second would then die on the unique key.
So every import (the command, the admin uploads) holds a lock for its whole
transaction, taken before it reads what is already stored:

* PostgreSQL: a transaction-level advisory lock. A second import says it is
  waiting (`on_wait`), then waits for the first to commit or roll back.
* SQLite: the transaction itself takes the database's write lock (IMMEDIATE
  mode, see settings), so a second import waits up to the connection's busy
  timeout; past it, ImportBusy says what happened.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction

IMPORT_LOCK_KEY = 0x5E1E_C700_0012  # any constant shared by every import path
WAITING = "Another import is running: waiting for it to finish…"


class ImportBusy(Exception):
    """Another writer held the database past the busy timeout; nothing was imported."""


def lock_imports(on_wait: Callable[[str], None] | None = None) -> None:
    """Inside a transaction: wait until no other import is running (PostgreSQL; see the module note)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        if cursor.fetchone()[0]:
            return
        if on_wait is not None:
            on_wait(WAITING)
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


@contextmanager
def exclusive_import(on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """A transaction that no other import runs alongside."""
    try:
        with transaction.atomic():
            lock_imports(on_wait)
            yield
    except OperationalError as exc:
        if "lock" not in str(exc):
            raise
        raise ImportBusy(
            "another import (or another long write) kept the database locked for too long; "
            "nothing was imported: run the import again when it has finished"
        ) from exc
