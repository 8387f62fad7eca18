"""Delivery: email, SMS and push backends, their retries, receipts, tracking and links in messages."""

import datetime as dt

from .base import AWS_REGION, VAR_DIR, env

# The demo sends to derived placeholder addresses (example.invalid, Ofcom's drama range); production
# settings turn this off, so a send without a real address for the channel is refused.
ALLOW_PLACEHOLDER_CONTACTS = env.bool("ALLOW_PLACEHOLDER_CONTACTS", default=True)
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
# The demo server's port (`PORT=8001 make run`); links in messages follow it unless SITE_URL is set.
PORT = env.int("PORT", default=8000)
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{PORT}")  # absolute links in messages (unsubscribe, tracking)
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
