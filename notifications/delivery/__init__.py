"""Channel delivery: backends (email, outbox, SNS), the Celery task, tracking and unsubscribe helpers."""
