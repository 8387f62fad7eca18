from django.apps import AppConfig


class ControlConfig(AppConfig):
    """The supervisors' and admins' control room: audit trail, approvals, imports, AI budget.

    A separate app so its migrations never collide with the notifications app's,
    which other work changes at the same time.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "control"
    verbose_name = "Control room"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete

        from control import signals
        from customers.models import Customer

        post_migrate.connect(_sync_roles_after_migrate, sender=self)
        pre_delete.connect(signals.customer_pre_delete, sender=Customer, dispatch_uid="control.erasure_on")
        post_delete.connect(signals.customer_post_delete, sender=Customer, dispatch_uid="control.erasure_off")
        user_model = get_user_model()
        m2m_changed.connect(
            signals.user_groups_changed, sender=user_model.groups.through, dispatch_uid="control.staff_from_groups"
        )
        post_save.connect(signals.user_saved, sender=user_model, dispatch_uid="control.staff_on_save")


def _sync_roles_after_migrate(**kwargs: object) -> None:
    """Re-apply notifications/roles.py after every migrate, so permissions of models added later
    (e.g. the delivery records) reach the groups without a data migration each time.

    Only groups that exist are updated: post_migrate also fires after a test database flush, and
    re-creating the groups there would collide with the rows a serialized rollback restores. The
    groups themselves are created by data migrations (notifications 0003, control 0002)."""
    from django.contrib.auth.models import Group, Permission

    from notifications.roles import sync_role_groups

    sync_role_groups(Group, Permission, create=False)
