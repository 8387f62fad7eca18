"""Settings for the Smart Notification Engine.

Everything that differs between the demo and production comes from environment
variables (optionally a `.env` file at the project root). The defaults are the
embedded demo: SQLite, a file-based Celery broker and the offline analyst, so
that `make run` needs no external service.
"""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # local runtime state for the embedded demo (git-ignored)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# --- core -----------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY", default="django-insecure-demo-only-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "import_export",
    "django_celery_beat",
    "axes",
    "customers",
    "notifications.contact_rules",
    "notifications.queue",
    "notifications.analysis",
    "notifications.delivery",
    "notifications.jobs",
    "notifications.experiments",
    "notifications.workspace",
    "notifications.supervision",
    # Last: its post_migrate handler gives the role groups their permissions, which must all exist by then.
    "notifications.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its 429 response
]

ROOT_URLCONF = "notification_engine.urls"
WSGI_APPLICATION = "notification_engine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- security -------------------------------------------------------------------
# Content-Security-Policy: scripts only from our own /static/ (HTMX is vendored
# there). So: no inline <script>, no hx-on attributes, no javascript: URLs.
# Inline styles stay allowed because htmx injects its indicator style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}
ADMIN_URL = env("ADMIN_URL", default="admin/")  # a less guessable path in production

# --- database ---------------------------------------------------------------
# DATABASE_URL selects the engine: a SQLite file for the demo, PostgreSQL in
# production (postgres://user@host:5432/name).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions
    # take the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation pays off for long analytical scans, not for pages: the results page's one-pass
    # aggregate spent ~60 ms of a ~230 ms request compiling (bench/results_bench.py). A DATABASE_URL
    # with ?options=... replaces this.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login attempts are rate-limited by django-axes: after 5 failures for one username from one IP, that
# pair is locked out for 15 minutes (HTTP 429), whatever login form is used (workspace or admin).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a good login clears the count
# Behind a reverse proxy REMOTE_ADDR is the proxy's, and every user would share one lockout count.
# django-axes reads the client address through django-ipware. TRUSTED_PROXY_COUNT = how many proxies
# of ours sit in front of Django (default 0: trust no forwarded header, as the demo serves clients
# directly). Each appends the address it saw to X-Forwarded-For and the last one is REMOTE_ADDR, so
# ipware expects the client plus N-1 proxy entries; a header of any other length was forged and the
# request is keyed on REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    env.list(
        "AXES_IPWARE_META_PRECEDENCE_ORDER",
        default=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"],
    )
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # supplier exports are in UK local time
USE_I18N = True
USE_TZ = True

# --- static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- django-import-export -----------------------------------------------------------
IMPORT_EXPORT_SKIP_ADMIN_LOG = True  # one LogEntry per row makes large imports crawl
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # neutralise =, +, -, @ in exported cells
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Celery -------------------------------------------------------------------
# The embedded default is kombu's SQLAlchemy transport on a local SQLite file,
# so a real worker runs without Redis. Production: CELERY_BROKER_URL=redis://…
VAR_DIR.mkdir(exist_ok=True)
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

# --- analysts -------------------------------------------------------------------
AI_PROVIDER = env("AI_PROVIDER", default="offline")  # offline | bedrock
# AWS Bedrock (Converse API). Credentials come from the usual AWS chain (env, profile, role).
# Claude 4-generation models are invoked on demand only through inference profiles: "eu." keeps the calls
# in EU regions (the UK's nearest geography), "global." routes anywhere for ~10% less. Any model id,
# inference-profile id or ARN is accepted; run `manage.py check_bedrock` after changing one.
BEDROCK_MODEL_ID = env("BEDROCK_MODEL_ID", default="eu.anthropic.claude-sonnet-4-5-20250929-v1:0")  # drafts
# Segmentation and prioritisation (many short, structured calls): the fast, cheap model.
BEDROCK_BULK_MODEL_ID = env("BEDROCK_BULK_MODEL_ID", default="eu.anthropic.claude-haiku-4-5-20251001-v1:0")
BEDROCK_USE_BULK_MODEL = env.bool("BEDROCK_USE_BULK_MODEL", default=False)  # drafts on the bulk model too
AWS_REGION = env("AWS_REGION", default="eu-west-2")
BEDROCK_ENDPOINT_URL = env("BEDROCK_ENDPOINT_URL", default=None)  # e.g. a VPC endpoint, or a local fake in tests
BEDROCK_CONTROL_ENDPOINT_URL = env("BEDROCK_CONTROL_ENDPOINT_URL", default=None)  # control plane (check_bedrock)
BEDROCK_CONNECT_TIMEOUT = env.float("BEDROCK_CONNECT_TIMEOUT", default=5.0)
BEDROCK_READ_TIMEOUT = env.float("BEDROCK_READ_TIMEOUT", default=60.0)
# In a client Config, max_attempts counts *retries* (2 → at most 3 attempts, short backoff); the long
# backoff with jitter is the job layer's (Celery autoretry on AnalystUnavailable).
BEDROCK_RETRIES = {"mode": "standard", "max_attempts": env.int("BEDROCK_MAX_ATTEMPTS", default=2)}
BEDROCK_MAX_TOKENS = env.int("BEDROCK_MAX_TOKENS", default=1200)
BEDROCK_TEMPERATURE = env.float("BEDROCK_TEMPERATURE", default=0.2)
# Which steps go to Bedrock for the customers routed to it; the rest are answered by the offline rules.
BEDROCK_OPERATIONS = env.list("BEDROCK_OPERATIONS", default=["segment", "prioritise", "draft"])
# AI only where the rules are unsure: a customer whose offline segment confidence is above this is
# analysed by the offline rules alone; the others go to Bedrock. 1.0 sends everyone, 0 no one. At 0.4,
# the customers whose winning segment has at most 40% of the evidence: ~1.3% of the demo base, where the
# rules alone are right less than half the time (bench/analysis_bench.py prints the table).
BEDROCK_CONFIDENCE_THRESHOLD = env.float("BEDROCK_CONFIDENCE_THRESHOLD", default=0.4)
# A Bedrock segment with less than this share of the offline scorer's evidence is disputed: the rules'
# segment stands and the customer is flagged for review.
BEDROCK_DISPUTE_BELOW_SHARE = env.float("BEDROCK_DISPUTE_BELOW_SHARE", default=0.15)
BEDROCK_PROMPT_CACHING = env.bool("BEDROCK_PROMPT_CACHING", default=True)  # where the model and prefix allow
# USD per 1M tokens, on demand, checked 2026-12-01 from third-party summaries of the AWS price list.
# Verify on https://aws.amazon.com/bedrock/pricing/ before relying on it. Looked up by the exact id first
# (e.g. "global." profiles), then by the bare model id, which carries the regional ("eu."/"us."/"apac."
# profiles, in-region) price: for the 4.5 generation that is 10% over global.
BEDROCK_PRICES_USD_PER_MTOK = {
    "anthropic.claude-haiku-4-5-20251001-v1:0": {"input": 1.10, "output": 5.50},
    "global.anthropic.claude-haiku-4-5-20251001-v1:0": {"input": 1.00, "output": 5.00},
    "anthropic.claude-sonnet-4-5-20250929-v1:0": {"input": 3.30, "output": 16.50},
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0": {"input": 3.00, "output": 15.00},
    "anthropic.claude-opus-4-5-20251101-v1:0": {"input": 5.50, "output": 27.50},
    "global.anthropic.claude-opus-4-5-20251101-v1:0": {"input": 5.00, "output": 25.00},
    "anthropic.claude-sonnet-4-20250514-v1:0": {"input": 3.00, "output": 15.00},
}
BEDROCK_CACHE_READ_MULTIPLIER = 0.1  # cached input tokens cost 0.1x the input price
BEDROCK_CACHE_WRITE_MULTIPLIER = 1.25  # writing the cache (5-minute TTL) costs 1.25x
USD_TO_GBP = env.float("USD_TO_GBP", default=0.79)
# Monthly Bedrock budget in £ (an admin can override it in Provider settings); when this month's
# spend reaches it, new Bedrock calls stop and the offline analyst answers. Set it empty for no limit.
_ai_budget = env.str("AI_MONTHLY_BUDGET_GBP", default="200").strip()
AI_MONTHLY_BUDGET_GBP = float(_ai_budget) if _ai_budget else None
# "Import all five" keeps each upload under var/imports/<id>/ for the Celery task to read.
IMPORTS_DIR = env.path("IMPORTS_DIR", default=VAR_DIR / "imports")

# --- delivery (notifications/delivery, services/delivery.py) -----------------------------------
# Email goes through Django's email framework: the embedded default writes each message to
# var/outbox/email/ so the demo can show it; production sets EMAIL_BACKEND (SMTP) and EMAIL_HOST etc.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "outbox" / "email"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Customer Care <care@example.invalid>")
if env("EMAIL_URL", default=""):  # e.g. smtp+tls://user:password@smtp.example.com:587 (overrides the above)
    globals().update(env.email_url("EMAIL_URL"))
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")  # absolute links in messages (unsubscribe, tracking)
# SMS and App Push: outbox (JSON files under var/outbox/) or sns (boto3 sns.publish).
SMS_BACKEND = env("SMS_BACKEND", default="outbox")
PUSH_BACKEND = env("PUSH_BACKEND", default="outbox")
OUTBOX_DIR = env("OUTBOX_DIR", default=str(VAR_DIR / "outbox"))
SNS_REGION = env("SNS_REGION", default=AWS_REGION)
SNS_ENDPOINT_URL = env("SNS_ENDPOINT_URL", default=None)  # a local fake in tests
SNS_SMS_SENDER_ID = env("SNS_SMS_SENDER_ID", default="EnergyCo")  # alphanumeric, up to 11 characters
SNS_SMS_MAX_PRICE = env("SNS_SMS_MAX_PRICE", default="")  # USD per message; blank = account default
SNS_CONNECT_TIMEOUT = env.float("SNS_CONNECT_TIMEOUT", default=3.0)
SNS_READ_TIMEOUT = env.float("SNS_READ_TIMEOUT", default=10.0)
# botocore's own short retries (standard mode); the long backoff with jitter is the Celery task's.
SNS_RETRIES = {"mode": "standard", "max_attempts": env.int("SNS_MAX_ATTEMPTS", default=2)}
DELIVERY_MAX_RETRIES = env.int("DELIVERY_MAX_RETRIES", default=5)
DELIVERY_RETRY_BACKOFF = env.int("DELIVERY_RETRY_BACKOFF", default=10)  # seconds, doubled per retry
DELIVERY_RETRY_BACKOFF_MAX = env.int("DELIVERY_RETRY_BACKOFF_MAX", default=300)  # far below the visibility timeout
DELIVERY_WEBHOOK_SECRET = env("DELIVERY_WEBHOOK_SECRET", default="")  # empty: the receipts webhook refuses all
# A delivery left SENDING this long lost its worker between the claim and the outcome: the sweep
# (release_held, every minute) marks it FAILED, "outcome unknown", for an agent to check and retry.
# Keep it above CELERY_TASK_TIME_LIMIT (960 s): a worker still running by then has been killed.
DELIVERY_SENDING_STALE_AFTER = dt.timedelta(minutes=env.int("DELIVERY_SENDING_STALE_AFTER_MINUTES", default=20))
# AWS SNS HTTPS subscription to the receipts webhook (notifications/delivery/sns_inbound.py). Messages are
# verified by their signature; the signing certificate and the SubscribeURL are fetched only from URLs
# matching this pattern. Only these topics may subscribe and deliver (empty: none).
SNS_ALLOWED_URL_PATTERN = env("SNS_ALLOWED_URL_PATTERN", default=r"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")
SNS_ALLOWED_TOPIC_ARNS = env.list("SNS_ALLOWED_TOPIC_ARNS", default=[])
SNS_HTTP_TIMEOUT = env.float("SNS_HTTP_TIMEOUT", default=5.0)  # seconds, certificate fetch and confirmation
SNS_CERT_CACHE_SECONDS = env.int("SNS_CERT_CACHE_SECONDS", default=24 * 3600)
# An open or click this soon after delivery is most likely a scanner or image proxy (Mautic #9798).
TRACKING_MACHINE_SECONDS = env.int("TRACKING_MACHINE_SECONDS", default=10)
TRACKING_LANDING_URL = env("TRACKING_LANDING_URL", default="/t/landing/")
ACCOUNT_URL = env("ACCOUNT_URL", default="https://example.invalid/account")  # the call to action in emails

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
