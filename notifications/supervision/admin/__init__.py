"""The supervisors' control room in the Django admin.

AI output is evidence, so it is read-only here; supervisors change what the
workspace lets them change (approval, dismissal, claims, re-analysis) through
admin actions that call the same services the workspace uses.
"""

from notifications.supervision.admin import (  # noqa: F401 - registers the model admins
    control_room,
    customers,
    delivery,
    experiments,
    jobs,
    policies,
    queue,
)
