"""Shared fixtures."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

VAR_DIR = Path(__file__).resolve().parents[1] / "var"


# --- real Celery worker (tests marked `worker`; see tests/notifications/jobs/test_worker_support.py) ---------


def _wants_worker(session: pytest.Session) -> bool:
    # `concurrent` tests race threads on separate connections: shared-cache in-memory SQLite
    # answers "database table is locked" instead of waiting, so they need a file database too.
    return any(item.get_closest_marker("worker") or item.get_closest_marker("concurrent") for item in session.items)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request) -> None:
    """On SQLite the worker subprocess must see the test database: put it in a file (one per run)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3" and _wants_worker(request.session):
        db.setdefault("TEST", {})["NAME"] = str(VAR_DIR / f"test-worker-{os.getpid()}.sqlite3")


def _worker_broker_url() -> str:
    """Redis when CELERY_BROKER_URL says so (CI), on a dedicated db; else a private embedded broker file."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        import redis

        base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
        test_url = f"{base}/{os.environ.get('TEST_REDIS_DB', '15')}"
        client = redis.Redis.from_url(test_url, socket_timeout=5)
        client.ping()  # no Redis while CELERY_BROKER_URL names it: fail loudly, never skip
        client.flushdb()  # the dedicated test db: no stale messages from an earlier run
        return test_url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI must run the worker tests against Redis: set CELERY_BROKER_URL=redis://…")
    return f"sqla+sqlite:///{VAR_DIR / f'test-broker-{os.getpid()}.sqlite3'}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker -P prefork -c 2` on the test database and a private queue, for the session."""
    from django.conf import settings
    from django.db import connection

    from notification_engine.celery import app
    from tests.notifications.jobs.test_worker_support import WorkerProcess

    broker = _worker_broker_url()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        database_url = f"sqlite:///{db['NAME']}"
    else:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "10",  # Redis redelivers a dead worker's chunk after this
        "CELERY_TASK_SOFT_TIME_LIMIT": "6",
        "CELERY_TASK_TIME_LIMIT": "8",
        "ANALYSIS_MAX_RETRIES": "2",
        "ANALYSIS_RETRY_BACKOFF": "1",
        "ANALYSIS_RETRY_BACKOFF_MAX": "1",
        "ANALYSIS_COMMIT_EVERY": "5",
        "TEST_ANALYST_DELAY": "0.1",
        "ANALYST_CONCURRENCY": "2",  # paid stubs: threads, but slow enough to be killed mid-job
        "BEDROCK_MAX_RPM": "0",  # no quota for the stubs (the limiter has its own tests)
        "TEST_WORKER": "1",
    }
    # This process sends the tasks: same broker and queue as the worker.
    old = (settings.CELERY_BROKER_URL, app.conf.broker_url, app.conf.task_default_queue)
    old_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker  # Celery reads this variable before its own configuration
    settings.CELERY_BROKER_URL = app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    # Time limits travel in the message header, set by the sender from the task's attributes
    # (cached in _exec_options): send the worker's short ones, leave app.conf as configured.
    from notifications.jobs.tasks import run_chunk as task

    old_limits = (task.soft_time_limit, task.time_limit)
    task.soft_time_limit, task.time_limit = int(env["CELERY_TASK_SOFT_TIME_LIMIT"]), int(env["CELERY_TASK_TIME_LIMIT"])
    task._exec_options = None
    log_dir = tmp_path_factory.mktemp("celery-worker")
    env["TEST_STUCK_MARKER"] = str(log_dir / "stuck-once")  # see StuckOnceAnalyst
    worker = WorkerProcess(env, queue, log_dir)
    worker.start()
    yield worker
    worker.stop()
    settings.CELERY_BROKER_URL, app.conf.broker_url, app.conf.task_default_queue = old
    task.soft_time_limit, task.time_limit = old_limits
    task._exec_options = None
    if old_env is None:
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ["CELERY_BROKER_URL"] = old_env
    if broker.startswith("sqla+sqlite:///"):
        Path(broker.removeprefix("sqla+sqlite:///")).unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _beat_sequences_after_restore(request):
    """Worker tests run beat, which inserts its schedules. Their serialized rollback restores the migrated
    beat rows with their ids but leaves PostgreSQL's sequences where a flush put them, so beat's insert
    could take id 1 again ("duplicate key … intervalschedule_pkey") and the recovery schedule would be
    lost. Set the sequences past the restored rows (a no-op on SQLite)."""
    if request.node.get_closest_marker("worker") is None:
        return
    request.getfixturevalue("_django_db_helper")  # the restore has happened
    from django.core.management.color import no_style
    from django.db import connection
    from django_celery_beat import models as beat

    tables = [beat.IntervalSchedule, beat.CrontabSchedule, beat.SolarSchedule, beat.ClockedSchedule, beat.PeriodicTask]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)


@pytest.fixture
def live_worker(celery_worker_process):
    """The session worker, restarted if a test killed it."""
    if not celery_worker_process.alive:
        celery_worker_process.start()
    return celery_worker_process


# --- role users shared by the admin tests (a test module may define its own) ---------------------


@pytest.fixture
def supervisor(db):
    from tests.factories import make_role_user

    return make_role_user("sue", "Supervisors")


@pytest.fixture
def as_supervisor(client, supervisor):
    client.force_login(supervisor)
    return client


# --- delivery without a broker -------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """The ids of the delivery task messages the service sends (after commit), kept instead of sent."""
    from notifications.delivery import tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", lambda pk: sent.append(pk))
    return sent


# --- one rollback strategy for every transactional test ------------------------------------------


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the `transactional` mark below must exist by then
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give every transactional test `serialized_rollback=True` and the `transactional` mark.

    A transactional test ends with a flush. Without serialized rollback that flush re-runs the
    post_migrate handlers, which re-create content types, permissions and role groups under new ids;
    a later test that restores the migrated rows from the serialized snapshot then collides with
    them. Using one strategy for all transactional tests keeps their order irrelevant.

    `make test` also runs the transactional tests in pytest sessions of their own: a test that
    commits through a second connection in between can otherwise leave rows that the next snapshot
    restore collides with; and the `worker` tests get a session of their own because the shared
    Celery worker may still be writing when another test's teardown truncates the tables.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        fixtures = getattr(item, "fixturenames", ())
        transactional = kwargs.get("transaction") or "transactional_db" in fixtures or "live_server" in fixtures
        if transactional:
            item.add_marker(pytest.mark.transactional)
        if transactional and not kwargs.get("serialized_rollback"):
            new = pytest.mark.django_db(**{**kwargs, "transaction": True, "serialized_rollback": True})
            item.add_marker(new, append=False)  # prepended: the closest marker is the one pytest-django reads


# alias -> the serialized snapshot of the migrated database, kept here as well as on the connection.
SERIALIZED_SNAPSHOTS: dict[str, str] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Note each snapshot now, in the main context, before any browser test can run in another one."""
    from django.db import connections

    for connection in connections.all():
        if hasattr(connection, "_test_serialized_contents"):
            SERIALIZED_SNAPSHOTS[connection.alias] = connection._test_serialized_contents


def _restore_into_an_empty_database() -> None:
    """Flush right before each serialized restore, so the restore always starts from empty tables.

    Between one transactional test's teardown flush and the next one's restore, a process outside
    the test (the shared Celery worker finishing a task, the live server's thread) can still write
    rows such as content types; restoring the migrated rows on top of those would collide.
    """
    import django.test
    from django.core.management import call_command
    from django.db import connections

    restore = django.test.TransactionTestCase._fixture_setup.__func__

    @classmethod
    def fixture_setup(cls) -> None:
        if cls.serialized_rollback:
            for db_name in cls._databases_names(include_mirrors=False):
                connection = connections[db_name]
                # Django keeps the snapshot on the connection object, and connections are per context:
                # Playwright's sync API runs tests in another context (a greenlet), where the connection
                # is a new object without it, so the restore was silently skipped and the test found
                # empty tables (no permissions: "You don't have permission to view or edit anything").
                if not hasattr(connection, "_test_serialized_contents") and db_name in SERIALIZED_SNAPSHOTS:
                    connection._test_serialized_contents = SERIALIZED_SNAPSHOTS[db_name]
                if hasattr(connection, "_test_serialized_contents"):
                    call_command("flush", verbosity=0, interactive=False, database=db_name, inhibit_post_migrate=True)
        restore(cls)

    django.test.TransactionTestCase._fixture_setup = fixture_setup


_restore_into_an_empty_database()


def _let_sqlite_flush_empty_append_only_tables() -> None:
    """On SQLite a flush is DELETE FROM each table, which the append-only triggers refuse
    (notifications/common/append_only.py); PostgreSQL's TRUNCATE fires no row triggers. Wrap the flush in the
    erasure flag: set first, cleared last, in the flush's own transaction."""
    from django.db.backends.sqlite3.base import DatabaseWrapper  # the base first: operations imports it

    from notifications.common.append_only import FLAG_TABLE

    DatabaseOperations = DatabaseWrapper.ops_class  # noqa: N806 - a class
    sql_flush = DatabaseOperations.sql_flush

    def with_erasure_flag(self, style, tables, **kwargs) -> list[str]:  # noqa: ANN001
        statements = sql_flush(self, style, tables, **kwargs)
        if not statements or FLAG_TABLE not in self.connection.introspection.table_names():
            return statements
        return [f"INSERT OR IGNORE INTO {FLAG_TABLE} (id) VALUES (1)", *statements, f"DELETE FROM {FLAG_TABLE}"]

    DatabaseOperations.sql_flush = with_erasure_flag


_let_sqlite_flush_empty_append_only_tables()
