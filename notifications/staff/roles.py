from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

"""The three roles and their permissions: the one place that says who may do what.

Applied by a data migration and re-applied by `setup_demo`, so adding a
permission here and re-running either brings existing groups up to date.
"""

AGENTS = "Agents"
SUPERVISORS = "Supervisors"
ADMINS = "Admins"

_DATASETS = ["customer", "accountactivity", "interaction", "notificationhistory", "recommendedaction"]
# Records supervisors may read in the admin, by app label.
_READABLE = {
    "analysis": ["analysisjob", "analysischunk", "customeranalysis", "contactdecision", "aicall", "providersettings"],
    "queue": ["notification", "notificationevent", "delivery", "approval", "approvalpolicy"],
    "contact_rules": ["contactpolicy", "consentchange"],
    "delivery": ["providerreceipt"],
    "customers": ["customercontact", "importrun"],
    "staff": ["auditevent"],
    "experiments": ["holdoutexperiment"],
}

AGENT_PERMISSIONS = [
    "queue.work_queue",
    *(f"customers.view_{m}" for m in _DATASETS),
]
# Supervisors read everything in the admin (staff because of the group: STAFF_ROLES), act on drafts through
# admin actions and tune the contact policies; they cannot import, add or delete data, or manage users.
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "queue.run_analysis",
    "queue.release_claim",
    "queue.approve_notification",
    "queue.change_notification",
    "contact_rules.change_contactpolicy",
    "queue.add_approvalpolicy",
    "queue.change_approvalpolicy",
    "experiments.add_holdoutexperiment",
    "experiments.change_holdoutexperiment",
    *(f"{label}.view_{m}" for label, models in _READABLE.items() for m in models),
]
# Admins: everything, plus imports (django-import-export's permission is "add"), users and groups,
# provider settings and the budget, and the nightly schedule.
ADMIN_PERMISSIONS = [
    *SUPERVISOR_PERMISSIONS,
    *(f"customers.{action}_{m}" for m in _DATASETS for action in ("add", "change", "delete")),
    "contact_rules.add_contactpolicy",
    "customers.add_importrun",
    "analysis.add_providersettings",
    "analysis.change_providersettings",
    *(f"auth.{action}_{m}" for m in ("user", "group") for action in ("view", "add", "change", "delete")),
    *(
        f"django_celery_beat.{action}_{m}"
        for m in ("periodictask", "crontabschedule", "intervalschedule")
        for action in ("view", "add", "change", "delete")
    ),
]

# Membership of these groups is what makes a user staff (able to open the admin); notifications/staff/signals.py
# keeps User.is_staff in step on every group change and user save. Superusers are left alone.
STAFF_ROLES = (SUPERVISORS, ADMINS)

ROLE_PERMISSIONS = {AGENTS: AGENT_PERMISSIONS, SUPERVISORS: SUPERVISOR_PERMISSIONS, ADMINS: ADMIN_PERMISSIONS}


def sync_role_groups(group_model, permission_model, *, create: bool = True) -> None:
    """Set exactly each role group's permissions (idempotent); create missing groups if `create`."""
    codenames = {code.split(".")[1] for codes in ROLE_PERMISSIONS.values() for code in codes}
    pks = {
        f"{app_label}.{codename}": pk
        for app_label, codename, pk in permission_model.objects.filter(codename__in=codenames).values_list(
            "content_type__app_label", "codename", "pk"
        )
    }
    for group_name, codes in ROLE_PERMISSIONS.items():
        if create:
            group, _ = group_model.objects.get_or_create(name=group_name)
        else:
            group = group_model.objects.filter(name=group_name).first()
            if group is None:
                continue
        # A permission whose model does not exist (yet) is left out.
        group.permissions.set([pks[code] for code in codes if code in pks])


def sync_staff_status(user_ids: list[int]) -> int:
    """Set is_staff on these users from their groups: staff exactly when in a STAFF_ROLES group.

    One UPDATE, which sends no post_save (so the receiver that calls this cannot loop). Superusers
    are not touched. Returns the number of users updated.
    """

    if not user_ids:
        return 0
    user_model = get_user_model()
    in_staff_group = user_model.groups.through.objects.filter(
        **{f"{user_model._meta.model_name}_id": OuterRef("pk")}, group__name__in=STAFF_ROLES
    )
    return user_model.objects.filter(pk__in=user_ids, is_superuser=False).update(is_staff=Exists(in_staff_group))
