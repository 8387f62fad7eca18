"""The Celery settings the pipeline relies on, read back from the app's effective configuration.

Reading `app.conf` (not settings.py) means a misspelt setting name, which
Celery would silently ignore, fails here instead.
"""

from __future__ import annotations

from django.conf import settings

from notification_engine.celery import app
from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.jobs.tasks import run_chunk


def test_tasks_are_acked_late_and_requeued_if_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert run_chunk.acks_late is True
    assert run_chunk.reject_on_worker_lost is True
    # A hard time limit (or a child dead before its loss is noticed) re-queues instead of acking.
    assert app.conf.task_acks_on_timeout is False
    assert run_chunk.acks_on_timeout is False


def test_only_json_crosses_the_broker():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_time_limits_are_set_and_below_the_visibility_timeout():
    soft, hard = app.conf.task_soft_time_limit, app.conf.task_time_limit
    assert soft and hard and 0 < soft < hard
    # A task still running when the visibility timeout passes would be delivered again.
    assert hard < app.conf.visibility_timeout
    assert app.conf.worker_soft_shutdown_timeout > 0


def test_the_visibility_timeout_is_set_everywhere_celery_reads_it():
    timeout = settings.CELERY_VISIBILITY_TIMEOUT
    assert app.conf.visibility_timeout == timeout
    assert app.conf.result_backend_transport_options["visibility_timeout"] == timeout
    if app.conf.broker_url.startswith("redis://"):
        assert app.conf.broker_transport_options["visibility_timeout"] == timeout
    else:  # kombu's SQLAlchemy transport hands its options to create_engine(), which rejects the key
        assert "visibility_timeout" not in app.conf.broker_transport_options


def test_bedrock_failures_are_retried_with_capped_jittered_backoff():
    assert run_chunk.autoretry_for == (AnalystUnavailable,)
    assert run_chunk.retry_backoff == settings.ANALYSIS_RETRY_BACKOFF > 0
    assert run_chunk.retry_jitter is True
    assert run_chunk.max_retries == settings.ANALYSIS_MAX_RETRIES >= 1
    # A countdown longer than the visibility timeout makes Redis deliver the retry again, in a loop.
    assert 0 < run_chunk.retry_backoff_max <= app.conf.visibility_timeout / 4
    # Total time a chunk can spend waiting on retries stays below the visibility timeout too.
    assert run_chunk.retry_backoff_max * run_chunk.max_retries < app.conf.visibility_timeout


def test_the_embedded_default_broker_is_a_local_file_and_results_are_not_needed():
    assert app.conf.task_ignore_result is True
    assert app.conf.broker_url.startswith(("sqla+sqlite:///", "redis://"))


def test_the_nightly_schedule_exists_but_is_off(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Nightly segmentation and prioritisation")
    assert task.task == run_chunk.name.replace("run_chunk", "run_scheduled_analysis")
    assert task.enabled is False
    assert (task.crontab.minute, task.crontab.hour) == ("30", "2")
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert "django_celery_beat" in settings.INSTALLED_APPS


def test_beat_recovers_lost_chunks_every_minute_by_default():
    entry = app.conf.beat_schedule["Recover analysis chunks from lost workers"]
    assert entry["task"] in app.tasks and entry["task"].endswith(".recover_lost_chunks")
    assert entry["schedule"] == settings.ANALYSIS_RECOVERY_INTERVAL_SECONDS == 60
    assert entry["options"]["expires"] == 60  # a backlog of sweeps (beat outran the workers) collapses
    # A killed worker's chunks resume within lease + one beat interval: minutes, not the visibility timeout.
    assert settings.ANALYSIS_LEASE_SECONDS == 180
    assert app.conf.visibility_timeout > settings.ANALYSIS_LEASE_SECONDS + settings.ANALYSIS_RECOVERY_INTERVAL_SECONDS


def test_a_call_counts_as_in_flight_no_longer_than_botocore_can_wait_for_it():
    from notifications.analysis.services.ledger import call_deadline

    # 3 attempts (1 + BEDROCK_MAX_ATTEMPTS=2 retries), each 5 s to connect + 60 s to read, and a minute's margin.
    assert call_deadline().total_seconds() == 3 * 65 + 60
