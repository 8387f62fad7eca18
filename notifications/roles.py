"""The three roles and their permissions: the one place that says who may do what.

Applied by a data migration and re-applied by `setup_demo`, so adding a
permission here and re-running either brings existing groups up to date.
"""

AGENTS = "Agents"
SUPERVISORS = "Supervisors"
ADMINS = "Admins"

_DATASETS = ["customer", "accountactivity", "interaction", "notificationhistory", "recommendedaction"]
_ANALYSIS = [
    "analysisjob",
    "analysischunk",
    "customeranalysis",
    "contactdecision",
    "aicall",
    "notification",
    "contactpolicy",
    # The delivery layer's records (ignored until those models exist).
    "delivery",
    "notificationevent",
    "consentchange",
    "customercontact",
    "providerreceipt",
]
_CONTROL = ["auditevent", "approval", "importrun", "providersettings", "approvalpolicy"]

AGENT_PERMISSIONS = [
    "notifications.work_queue",
    *(f"customers.view_{m}" for m in _DATASETS),
]
# Supervisors read everything in the admin (is_staff is set on their user), act on drafts through
# admin actions and tune the contact policies; they cannot import, add or delete data, or manage users.
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "notifications.run_analysis",
    "notifications.release_claim",
    "notifications.approve_notification",
    "notifications.change_notification",
    "notifications.change_contactpolicy",
    "control.add_approvalpolicy",
    "control.change_approvalpolicy",
    *(f"notifications.view_{m}" for m in _ANALYSIS),
    *(f"control.view_{m}" for m in _CONTROL),
]
# Admins: everything, plus imports (django-import-export's permission is "add"), users and groups,
# provider settings and the budget, and the nightly schedule.
ADMIN_PERMISSIONS = [
    *SUPERVISOR_PERMISSIONS,
    *(f"customers.{action}_{m}" for m in _DATASETS for action in ("add", "change", "delete")),
    "notifications.add_contactpolicy",
    "control.add_importrun",
    "control.add_providersettings",
    "control.change_providersettings",
    *(f"auth.{action}_{m}" for m in ("user", "group") for action in ("view", "add", "change", "delete")),
    *(
        f"django_celery_beat.{action}_{m}"
        for m in ("periodictask", "crontabschedule", "intervalschedule")
        for action in ("view", "add", "change", "delete")
    ),
]

ROLE_PERMISSIONS = {AGENTS: AGENT_PERMISSIONS, SUPERVISORS: SUPERVISOR_PERMISSIONS, ADMINS: ADMIN_PERMISSIONS}


def sync_role_groups(group_model, permission_model, *, create: bool = True) -> None:
    """Set exactly each role group's permissions (idempotent); create missing groups if `create`."""
    for group_name, codes in ROLE_PERMISSIONS.items():
        if create:
            group, _ = group_model.objects.get_or_create(name=group_name)
        else:
            group = group_model.objects.filter(name=group_name).first()
            if group is None:
                continue
        wanted = []
        for code in codes:
            app_label, codename = code.split(".")
            wanted.extend(permission_model.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
