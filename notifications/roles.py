"""The three roles and their permissions: the one place that says who may do what.

Applied by a data migration and re-applied by `setup_demo`, so adding a
permission here and re-running either brings existing groups up to date.
"""

AGENTS = "Agents"
SUPERVISORS = "Supervisors"
ADMINS = "Admins"

_DATASETS = ["customer", "accountactivity", "interaction", "notificationhistory", "recommendedaction"]
_ANALYSIS = ["analysisjob", "customeranalysis", "contactdecision", "aicall", "notification", "contactpolicy"]

AGENT_PERMISSIONS = [
    "notifications.work_queue",
    *(f"customers.view_{m}" for m in _DATASETS),
]
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "notifications.run_analysis",
    "notifications.release_claim",
    "notifications.approve_notification",
    "notifications.change_notification",
    "notifications.change_contactpolicy",
    *(f"notifications.view_{m}" for m in _ANALYSIS),
]
ADMIN_PERMISSIONS = [
    *SUPERVISOR_PERMISSIONS,
    *(f"customers.{action}_{m}" for m in _DATASETS for action in ("add", "change", "delete")),
    "notifications.add_contactpolicy",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "auth.change_group",
]

ROLE_PERMISSIONS = {AGENTS: AGENT_PERMISSIONS, SUPERVISORS: SUPERVISOR_PERMISSIONS, ADMINS: ADMIN_PERMISSIONS}


def sync_role_groups(group_model, permission_model) -> None:
    """Create the role groups and set exactly their permissions (idempotent)."""
    for group_name, codes in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.extend(permission_model.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
