"""Production settings: the demo settings hardened.

Use with DJANGO_SETTINGS_MODULE=notification_engine.settings_production. It
refuses to start without a real SECRET_KEY and ALLOWED_HOSTS from the
environment, and passes `manage.py check --deploy` with no warnings.
"""

from django.core.exceptions import ImproperlyConfigured

from notification_engine.settings import *  # noqa: F403
from notification_engine.settings import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: a missing key must stop the server
if SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be a long random value set in the environment.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Static files: gunicorn serves them itself through WhiteNoise, from STATIC_ROOT as filled by
# `manage.py collectstatic` (scripts/prod_start.sh release). Hashed names (the manifest) let browsers
# cache them for a year; a page rendered before collectstatic has run fails loudly ("Missing
# staticfiles manifest entry") instead of serving unstyled pages with 404s.
WHITENOISE_USE_FINDERS = False
# Only real addresses (imported from Customer Contacts.csv or set in the admin) are sent to.
ALLOW_PLACEHOLDER_CONTACTS = env.bool("ALLOW_PLACEHOLDER_CONTACTS", default=False)

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Login lockouts behind a proxy (TRUSTED_PROXY_COUNT, AXES_IPWARE_META_PRECEDENCE_ORDER, read from
# the environment in settings/security.py): a proxy count with no forwarded header to read would key every
# lockout on the proxy's address, so refuse to start.
if TRUSTED_PROXY_COUNT and AXES_IPWARE_META_PRECEDENCE_ORDER[:1] == ("REMOTE_ADDR",):  # noqa: F405
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is set but AXES_IPWARE_META_PRECEDENCE_ORDER starts with REMOTE_ADDR: "
        "name the header your proxy sets first (e.g. HTTP_X_FORWARDED_FOR)."
    )
