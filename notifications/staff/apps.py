from django.apps import AppConfig


class StaffConfig(AppConfig):
    """Staff: roles (groups and permissions), staff status kept in step with roles, and the audit trail."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications.staff"
    label = "staff"
    verbose_name = "Staff and audit"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

        from customers.models import Customer
        from customers.signals import dataset_imported
        from notifications.staff import signals

        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        pre_delete.connect(signals.customer_pre_delete, sender=Customer, dispatch_uid="staff.erasure_on")
        post_delete.connect(signals.customer_post_delete, sender=Customer, dispatch_uid="staff.erasure_off")
        user_model = get_user_model()
        m2m_changed.connect(
            signals.user_groups_changed, sender=user_model.groups.through, dispatch_uid="staff.staff_from_groups"
        )
        post_save.connect(signals.user_saved, sender=user_model, dispatch_uid="staff.staff_on_save")
        dataset_imported.connect(signals.dataset_imported, dispatch_uid="staff.audit_import")


def _sync_roles_after_migrate(**kwargs: object) -> None:
    """Re-apply notifications/staff/roles.py after every migrate, so permissions of models added later
    (e.g. the delivery records) reach the groups without a data migration each time.

    Only groups that exist are updated: post_migrate also fires after a test database flush, and
    re-creating the groups there would collide with the rows a serialized rollback restores. The
    groups themselves are created by the data migration staff 0002."""
    from django.contrib.auth.models import Group, Permission

    from notifications.staff.roles import sync_role_groups

    sync_role_groups(Group, Permission, create=False)
