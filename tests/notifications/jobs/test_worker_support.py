"""Support for the real-worker tests (no tests in here).

1. Stub analysts, registered as extra providers of
   `notifications.analysis.services.analyse.get_analyst`. The worker subprocess imports
   this module with `--include`, so the stubs exist there too:
   - `test-slow`: the offline analyst, sleeping TEST_ANALYST_DELAY seconds per
     customer (time to SIGKILL a worker mid-job);
   - `test-unavailable`: raises AnalystUnavailable on every call (throttling);
   - `test-paid`: the offline analyst's answers, billed like Bedrock calls, so
     AICall rows show whether a customer was ever analysed (paid for) twice.
2. `WorkerProcess`: starts, kills and stops `celery worker -P prefork`.
3. `make_customer` and `run_inline`: data for a job, and a job run in this process (no worker).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.services import analyse as analysis
from notifications.profiles.schemas import CallUsage

BASE_DIR = Path(__file__).resolve().parents[3]  # tests/notifications/jobs/ -> the project
CELERY = str(BASE_DIR / ".venv" / "bin" / "celery")


class SlowOfflineAnalyst(OfflineAnalyst):
    def segment(self, profile):
        time.sleep(float(os.environ.get("TEST_ANALYST_DELAY", "0.1")))
        return super().segment(profile)


class UnavailableAnalyst:
    name = "bedrock"
    model_id = "test-unavailable"

    def segment(self, profile):
        raise AnalystUnavailable("ThrottlingException: Too many requests (stub)")

    prioritise = segment

    def draft(self, profile, analysis):
        raise AnalystUnavailable("ThrottlingException: Too many requests (stub)")


class PaidAnalyst:
    """Offline answers billed as paid calls (one CallUsage per step)."""

    name = "test-paid"
    model_id = "test-paid-model"

    def __init__(self) -> None:
        self._offline = OfflineAnalyst()
        self._local = threading.local()  # like the Bedrock analyst: one instance serves the pipeline's threads

    @property
    def _usage(self) -> list[CallUsage]:
        if not hasattr(self._local, "usage"):
            self._local.usage = []
        return self._local.usage

    def _bill(self, operation: str) -> None:
        self._usage.append(
            CallUsage(
                provider="test-paid",
                model_id=self.model_id,
                operation=operation,
                input_tokens=100,
                output_tokens=50,
                cost_gbp=Decimal("0.001"),
            )
        )

    def segment(self, profile):
        time.sleep(float(os.environ.get("TEST_ANALYST_DELAY", "0")))
        self._bill("segment")
        return self._offline.segment(profile)

    def prioritise(self, profile):
        self._bill("prioritise")
        return self._offline.prioritise(profile)

    def draft(self, profile, analysis):
        self._bill("draft")
        return self._offline.draft(profile, analysis)

    def take_usage(self) -> list[CallUsage]:
        usage, self._local.usage = self._usage, []
        return usage


class StuckOnceAnalyst(OfflineAnalyst):
    """Hangs past the soft time limit the first time any process calls it (marker file), then behaves."""

    def segment(self, profile):
        marker = Path(os.environ.get("TEST_STUCK_MARKER", "/nonexistent"))
        if marker.parent.is_dir():
            try:  # O_EXCL: exactly one process, of all the pool children, gets stuck
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass
            else:
                time.sleep(30)
        return super().segment(profile)


STUBS = {
    "test-slow": SlowOfflineAnalyst,
    "test-unavailable": UnavailableAnalyst,
    "test-paid": PaidAnalyst,
    "test-stuck-once": StuckOnceAnalyst,
}

if not getattr(analysis.get_analyst, "_with_test_stubs", False):
    _real_get_analyst = analysis.get_analyst

    def _get_analyst(provider=None):
        if provider in STUBS:
            return STUBS[provider]()
        return _real_get_analyst(provider)

    _get_analyst._with_test_stubs = True
    analysis.get_analyst = _get_analyst


def make_customer(*, value_seeker: bool = True, channel: str = "Email", **overrides):
    """A customer the offline analyst segments as a Value Seeker (contactable, service need) or not."""
    import datetime as dt

    from django.utils import timezone

    from tests.factories import AccountActivityFactory, CustomerFactory, InteractionFactory

    if value_seeker:
        customer = CustomerFactory(
            age=46, income_bracket="Low", preferred_channel=channel, satisfaction_score=2, **overrides
        )
        AccountActivityFactory(
            customer=customer,
            subscription_type="Basic",
            last_transaction="Tariff Switch",
            churn_risk_score=85,
            engagement_score=50,
            account_tenure_years=3,
            last_login=timezone.now() - dt.timedelta(days=20),
        )
        InteractionFactory(
            customer=customer,
            interaction_type="Complaint",
            sentiment="Negative",
            channel="Email",
            summary="Unhappy that the bill went up again; asked for a cheaper tariff.",
            resolution_status="Pending",
            occurred_at=timezone.now() - dt.timedelta(days=10),
        )
    else:
        customer = CustomerFactory(age=72, income_bracket="High", preferred_channel="Phone", **overrides)
        AccountActivityFactory(
            customer=customer,
            subscription_type="Green",
            last_transaction="Bill Payment",
            churn_risk_score=10,
            engagement_score=20,
            account_tenure_years=15,
            last_login=timezone.now() - dt.timedelta(days=90),
        )
    return customer


def run_inline(job):
    """Run every chunk of a started job in this process, in order; returns the job as it ends."""
    from notifications.jobs.pipeline import process_chunk

    for chunk in job.chunks.order_by("index"):
        process_chunk(chunk.pk)
    job.refresh_from_db()
    return job


if os.environ.get("TEST_WORKER") == "1" and os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
    # Inside the test worker: scan for a dead worker's unacked messages every second, not every
    # 100 s (kombu's default: every 10th check, every 10 s), so the SIGKILL test takes seconds.
    from notification_engine.celery import app

    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


class WorkerProcess:
    """A real `celery worker` subprocess on the test database and a private queue."""

    def __init__(self, env: dict[str, str], queue: str, log_dir: Path, concurrency: int = 2) -> None:
        self.env = env
        self.queue = queue
        self.log_dir = log_dir
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"worker-{self.starts}.log"
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [
                CELERY,
                "-A",
                "notification_engine",
                "worker",
                "-P",
                "prefork",
                "-c",
                str(self.concurrency),
                "-Q",
                self.queue,
                "-n",
                f"{self.queue}-{self.starts}@%h",
                "-l",
                "info",
                "--include",
                "tests.notifications.jobs.test_worker_support",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited at start-up:\n{self.log()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def problems(self) -> str:
        """Warnings, errors and tracebacks from every run of this worker (for assertion messages)."""
        lines = []
        for n in range(1, self.starts + 1):
            text = (self.log_dir / f"worker-{n}.log").read_text(errors="replace")
            lines += [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line or "Error" in line]
        return "\n".join(lines[-60:])

    def pool_pids(self) -> list[int]:
        assert self.proc is not None
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill_pool_child(self) -> int:
        pids = self.pool_pids()
        assert pids, "no pool child to kill"
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def kill_all(self) -> None:
        """SIGKILL the main process and its pool children at once (a machine losing power)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if not self.alive:
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)  # warm shutdown; the main process stops its pool
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def wait_for(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition", details=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    extra = f"\n{details()}" if details is not None else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {message}{extra}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("support module: imported by tests and by the worker")
