"""Every model with a status declares its moves in one TRANSITIONS table; every state in it can be reached."""

from __future__ import annotations

import pytest

from customers.models import ImportRun
from notifications.analysis.models import AnalysisChunk, AnalysisJob
from notifications.queue.models import Delivery, Notification


@pytest.mark.parametrize(
    ("model", "initial"),
    [
        (Notification, {"waiting", "held"}),  # the pipeline writes a draft waiting, or held for quiet hours
        (Delivery, {"queued", "call_task"}),  # a send creates a delivery queued, or a call to make
        (AnalysisJob, {"queued"}),
        (AnalysisChunk, {"pending"}),
        (ImportRun, {"queued", "succeeded", "failed"}),  # a command run is stored once it has finished
    ],
)
def test_every_state_is_reachable_from_where_a_row_starts(model, initial):
    reached, frontier = set(initial), list(initial)
    while frontier:
        for target in model.TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(model.Status.values)
    assert set(model.TRANSITIONS) == set(model.Status.values)  # no state without a row in the table
