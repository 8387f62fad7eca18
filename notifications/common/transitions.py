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
    allowed_from = sources(model.TRANSITIONS, target)
    rows = model._default_manager.filter(pk=obj.pk, **{f"{field}__in": allowed_from})
    if where is not None:
        rows = rows.filter(where)
    fields = {field: target, **changes}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields) and "updated_at" not in fields:
        fields["updated_at"] = timezone.now()
    if not rows.update(**fields):
        return False
    for name, value in fields.items():
        setattr(obj, name, value)
    return True
