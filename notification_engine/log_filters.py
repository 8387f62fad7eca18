"""Logging filters named in settings.LOGGING."""

from __future__ import annotations

import logging

from django.conf import settings


class SkipStaticFiles(logging.Filter):
    """Drops the development server's line for each static file served without error.

    A page brings a dozen stylesheets and scripts with it; their lines buried the ones that matter.
    A static file that is missing or fails (4xx, 5xx) is still logged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) >= 400 or not record.args:
            return True
        request_line = str(record.args[0])  # "GET /static/admin/css/base.css HTTP/1.1"
        parts = request_line.split(" ")
        path = parts[1] if len(parts) > 1 else ""
        return not path.startswith("/" + settings.STATIC_URL.lstrip("/"))
