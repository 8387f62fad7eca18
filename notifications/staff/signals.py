"""Signal receivers wired in ControlConfig.ready(): the erasure flag on Customer delete, staff from roles."""

from __future__ import annotations

from django.db import connections

from notifications.common.append_only import set_erasure_flag
from notifications.staff.models import AuditEvent
from notifications.staff.roles import sync_staff_status
from notifications.staff.services import record_staff_action


def customer_pre_delete(sender, instance, using: str, **kwargs: object) -> None:  # noqa: ANN001
    # Deleting a customer is an erasure: its drafts' event trail and consent changes cascade with it
    # and the append-only triggers must let those DELETEs through. Collector.delete() runs the
    # signals and the deletes in one transaction, so the flag covers exactly this delete.
    set_erasure_flag(connections[using], True)


def customer_post_delete(sender, instance, using: str, **kwargs: object) -> None:  # noqa: ANN001
    # Every row of this delete is gone by now (post_delete comes after all of them): switch it off.
    set_erasure_flag(connections[using], False)


def user_groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs: object) -> None:  # noqa: ANN001
    """Supervisors and Admins are staff, nobody else (superusers aside): kept in step both ways."""

    if action == "pre_clear" and reverse:
        # group.user_set.clear(): pk_set is None at post_clear, so note the members now.
        instance._staff_sync_users = list(instance.user_set.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is a Group, pk_set its users
        user_ids = list(pk_set or ()) if action != "post_clear" else getattr(instance, "_staff_sync_users", [])
        sync_staff_status(user_ids)
    else:  # instance is a User
        sync_staff_status([instance.pk])
        instance.refresh_from_db(fields=["is_staff"])


def user_saved(sender, instance, created: bool, update_fields=None, **kwargs: object) -> None:  # noqa: ANN001
    """A save (the admin's form, create_user(is_staff=True)) cannot make a non-role user staff."""

    if kwargs.get("raw"):
        return  # loaddata / a serialized test restore: store the rows exactly as they were
    if update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields):
        return  # e.g. last_login on every login: nothing that could break the rule changed
    sync_staff_status([instance.pk])
    instance.refresh_from_db(fields=["is_staff"])


def dataset_imported(sender, user, file_name: str, dataset: str, counts: dict[str, int], **kwargs: object) -> None:  # noqa: ANN001
    """An admin upload of one dataset file: who, which file, how many rows of each kind."""
    record_staff_action(
        user,
        AuditEvent.Action.IMPORTED,
        None,
        {"file": file_name, "dataset": dataset, "counts": counts},
        summary=f"Admin import of {file_name} into {dataset}: "
        + (", ".join(f"{n} {kind}" for kind, n in counts.items()) or "no rows"),
    )
