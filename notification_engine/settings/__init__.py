"""Settings for the Smart Notification Engine, one module per concern.

Each module reads its values from the environment with a safe default for the embedded demo (SQLite,
a file-based Celery broker, the offline analyst), so `make run` needs no external service.
`notification_engine.settings_production` hardens them for production.
"""

from .analysis import *  # noqa: F403
from .base import *  # noqa: F403
from .broker import *  # noqa: F403
from .database import *  # noqa: F403
from .delivery import *  # noqa: F403
from .imports import *  # noqa: F403
from .security import *  # noqa: F403
