"""State machines for models with a status: one table of allowed moves, applied by one conditional UPDATE.

A model declares `TRANSITIONS = {from_state: {to_state, ...}}`. `apply_transition` moves one row
only when its current state (in the database, not in memory) may go to the target: the WHERE clause
is the rule, so two workers racing cannot both win and a stale object cannot move a row backwards.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils import timezone


class TransitionRefused(Exception):
    """The row was not in a state from which the move is allowed (or was moved by someone else first)."""


def sources(table: Mapping[str, set[str]], target: str) -> list[str]:
    """Every state from which `target` may be reached."""
    return [state for state, targets in table.items() if target in targets]


def move_rows(
    rows: models.QuerySet,
    target: str,
    *,
    field: str = "status",
    **changes: object,
) -> int:
    """Move every row of `rows` whose stored state may go to `target` (and set `changes`); returns how many.

    The bulk form of `apply_transition`, for moves that concern a set of rows (a job's unfinished
    chunks when it is cancelled). Rows in any other state are left as they are.
    """
    model = rows.model
    fields = {field: target, **_stamped(model, changes)}
    return rows.filter(**{f"{field}__in": sources(model.TRANSITIONS, target)}).update(**fields)


def _stamped(model: type[models.Model], changes: dict) -> dict:
    """`changes`, plus `updated_at` for a model that keeps one."""
    if "updated_at" in changes or not any(f.name == "updated_at" for f in model._meta.concrete_fields):
        return changes
    return {**changes, "updated_at": timezone.now()}


def apply_transition(
    obj: models.Model,
    target: str,
    *,
    where: models.Q | None = None,
    field: str = "status",
    **changes: object,
) -> bool:
    """Move `obj` to `target` (and set `changes`) if the table allows it from the stored state.

    Returns False when the row was not in an allowed state; on success `obj` is updated in memory too.
    `where`: an extra condition the move needs (e.g. "only an outcome-unknown failure").
    """
    model = type(obj)
    rows = model._default_manager.filter(pk=obj.pk)
    if where is not None:
        rows = rows.filter(where)
    changes = _stamped(model, changes)
    if not move_rows(rows, target, field=field, **changes):
        return False
    for name, value in {field: target, **changes}.items():
        setattr(obj, name, value)
    return True
