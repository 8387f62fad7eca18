"""en-GB display formats with 24-hour times (Django's own en_GB says "5:49 a.m.").

Named in settings.FORMAT_MODULE_PATH; anything not set here comes from Django's en_GB formats.
Syntax: https://docs.djangoproject.com/en/5.2/ref/templates/builtins/#date
"""

DATETIME_FORMAT = "j M Y, H:i"  # 1 Dec 2026, 05:49
TIME_FORMAT = "H:i"  # 05:49
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 01/12/2026 05:49
