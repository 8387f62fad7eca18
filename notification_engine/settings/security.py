"""Security: the content security policy, logins and their lockouts, the admin's path."""

import datetime as dt

from .base import env

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
AXES_VERBOSE = False  # no "AXES: BEGIN …" banner on every command; lockouts are still logged (warnings)
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
