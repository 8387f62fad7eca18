"""Core settings: paths, the environment, apps, middleware, templates, locale, static files, logging.

Everything that differs between the demo and production comes from environment variables
(optionally a `.env` file at the project root), with the embedded demo as the default.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent  # the project root

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")
# Local runtime state for the embedded demo (git-ignored): broker file, outbox, uploads, demo passwords.
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- core -----------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY", default="django-insecure-demo-only-change-me")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "notifications.supervision.admin_site.ControlRoomAdminConfig",  # django.contrib.admin, our site
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
                "customers.context_processors.data_freshness",
            ],
        },
    },
]


# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"  # supplier exports are in UK local time
USE_I18N = True
USE_TZ = True
# Django's en-GB formats print times as "5:49 a.m."; ours are 24-hour ("1 Dec 2026, 05:49").
FORMAT_MODULE_PATH = ["notification_engine.formats"]

# --- static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")  # where `collectstatic` writes
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG


# One AWS region for the services we call (Bedrock, SNS) unless each is set apart.
AWS_REGION = env("AWS_REGION", default="eu-west-2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"skip_static": {"()": "notification_engine.log_filters.SkipStaticFiles"}},
    "formatters": {  # Django's own format for the development server's request lines
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give "django" a console handler of its own besides root's: "Not Found: …" twice.
        "django": {"handlers": [], "propagate": True},
        # One line per page, not one per stylesheet and script as well.
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["skip_static"],
        },
        # Every login and logout is kept in axes' access log table; the console gets failures and lockouts.
        "axes": {"level": env("AXES_LOG_LEVEL", default="WARNING")},
    },
}
