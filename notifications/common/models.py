"""Model bases shared by the notification apps: append-only evidence tables and one-row settings tables."""

from __future__ import annotations

from typing import Self

from django.db import models


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be updated")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: they cannot be deleted")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: they cannot be deleted")


class SingletonModel(models.Model):
    """A table of one row (pk 1): settings an admin edits in place."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # a singleton: there is only ever one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> Self:
        """The row, or unsaved defaults when nobody has saved it yet (no write on read)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)
