"""Celery (the broker and its reliability settings) and the analysis jobs that run on it."""

from .base import TIME_ZONE, VAR_DIR, env

# The embedded default is kombu's SQLAlchemy transport on a local SQLite file,
# so a real worker runs without Redis. Production: CELERY_BROKER_URL=redis://…
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
# Reliability (asserted in tests/notifications/jobs/test_celery_settings.py). Tasks are
# idempotent, so they are acknowledged only after they finish, and a task whose
# worker process dies is re-queued rather than silently acked.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a chunk is long: never hoard messages another worker could run
# A hard time limit kills the pool child; by default Celery then acks the message and the chunk is
# lost. Re-queue it instead: the chunk resumes from its committed offset (and gives up after
# ANALYSIS_MAX_RETRIES + 5 deliveries, so a chunk that always hangs cannot loop for ever).
CELERY_TASK_ACKS_ON_TIMEOUT = False
CELERY_TASK_IGNORE_RESULT = True  # progress lives on the AnalysisJob row, not in a result backend
CELERY_TASK_TRACK_STARTED = False
# Redis redelivers an unacked message after the visibility timeout: every time limit
# and retry backoff must stay well below it, or a healthy task would run twice.
# Celery only honours it when all three are set (broker, result backend, top level).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
# (Only Redis-like brokers take the option: kombu's SQLAlchemy transport passes its options to create_engine.)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://", "sentinel://"))
    else {}
)
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=900)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=960)
# On a warm shutdown, give running tasks this long, then re-queue the unacked ones.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=10.0)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=500)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
EMBEDDED_BROKER_POLLING_INTERVAL = env.float("EMBEDDED_BROKER_POLLING_INTERVAL", default=0.1)  # seconds, sqla+ only

# --- analysis jobs (notifications/jobs/services.py, pipeline.py) ---------------------------
ANALYSIS_CHUNK_SIZE = env.int("ANALYSIS_CHUNK_SIZE", default=250)  # customers per Celery task
# Offline jobs (CPU-bound, free, one commit per chunk) use fewer, larger chunks: each chunk costs a
# broker round trip and a handful of bookkeeping queries, which at 250 customers was a third of
# the pipeline's wall time. 0 = use ANALYSIS_CHUNK_SIZE. Progress still moves once per chunk (< 1 s).
ANALYSIS_OFFLINE_CHUNK_SIZE = env.int("ANALYSIS_OFFLINE_CHUNK_SIZE", default=1000)
ANALYSIS_COMMIT_EVERY = env.int("ANALYSIS_COMMIT_EVERY", default=50)  # customers per progress commit
ANALYSIS_MAX_RETRIES = env.int("ANALYSIS_MAX_RETRIES", default=5)  # then the offline analyst stands in
ANALYSIS_RETRY_BACKOFF = env.int("ANALYSIS_RETRY_BACKOFF", default=15)  # seconds, doubled per retry
ANALYSIS_RETRY_BACKOFF_MAX = env.int("ANALYSIS_RETRY_BACKOFF_MAX", default=300)  # far below the visibility timeout
ANALYST_CONCURRENCY = env.int("ANALYST_CONCURRENCY", default=8)  # Bedrock calls in flight per chunk task
BEDROCK_MAX_RPM = env.int("BEDROCK_MAX_RPM", default=200)  # shared by every worker (Redis) or per process
BEDROCK_MAX_TPM = env.int("BEDROCK_MAX_TPM", default=0)  # tokens per minute; 0 = no limit
# Re-dispatch unfinished chunks when a worker starts; unset = on unless the broker is Redis
# (the embedded transport cannot redeliver a message whose worker was SIGKILLed).
ANALYSIS_RESUME_ON_WORKER_START = env.bool("ANALYSIS_RESUME_ON_WORKER_START", default=None)
# Chunk leases (notifications/jobs/leases.py): a running chunk's worker renews its lease every quarter
# of this; a chunk whose lease lapsed lost its worker and is re-queued by the recovery task, which beat
# runs every ANALYSIS_RECOVERY_INTERVAL_SECONDS. A killed worker's chunks resume within the sum of
# the two, whatever the broker's visibility timeout.
ANALYSIS_LEASE_SECONDS = env.int("ANALYSIS_LEASE_SECONDS", default=180)
ANALYSIS_RECOVERY_INTERVAL_SECONDS = env.float("ANALYSIS_RECOVERY_INTERVAL_SECONDS", default=60)
# Written into django-celery-beat's table each time beat starts, so the environment stays in charge.
CELERY_BEAT_SCHEDULE = {
    "Recover analysis chunks from lost workers": {
        "task": "notifications.jobs.tasks.recover_lost_chunks",
        "schedule": ANALYSIS_RECOVERY_INTERVAL_SECONDS,
        "options": {"expires": ANALYSIS_RECOVERY_INTERVAL_SECONDS},  # a backlog of sweeps collapses to one
    },
}
