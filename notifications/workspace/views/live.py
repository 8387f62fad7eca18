"""Live rows: the page sends what it shows (a stamp per row), the server answers only with what changed.

Polling, not server-sent events: a poll is one indexed query over the rows on screen and, nearly always,
an empty 204, so it costs a worker a few milliseconds and holds no connection; 50 agents polling every
3 s add about 17 requests a second (bench/queue_bench.py measures the cost). Server-sent events would
hold a gunicorn thread (or an async server and a pub/sub channel) per open tab for the whole shift.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from notifications.queue.models import ApprovalPolicy, Notification
from notifications.queue.selectors.queue import PAGE_SIZE, with_card_relations, with_row_relations
from notifications.workspace.rows import STAMP_FIELDS, stamp_of
from notifications.workspace.views.common import workspace_view

NO_CHANGE = 204  # htmx swaps nothing (the htmx-config meta in base.html)


def parse_rows(text: str) -> dict[int, tuple[str, bool]]:
    """ "12.3fa1b2c0.o,13.0c0ffee0" → {12: ("3fa1b2c0", True), 13: ("0c0ffee0", False)}; `o`: the card is open.

    Anything malformed is skipped; at most two pages' worth of rows are read."""
    rows: dict[int, tuple[str, bool]] = {}
    for part in text.split(",")[: 2 * PAGE_SIZE]:
        pk, _, rest = part.partition(".")
        stamp, _, flag = rest.partition(".")
        if pk.isdigit() and stamp:
            rows[int(pk)] = (stamp[:16], flag == "o")
    return rows


@require_GET
@workspace_view()
def live(request: HttpRequest) -> HttpResponse:
    seen = parse_rows(request.GET.get("rows", ""))
    if not seen:
        return HttpResponse(status=NO_CHANGE)
    now = timezone.now()
    # One narrow query for every row on the page; full rows only for the few that changed.
    current = Notification.objects.filter(pk__in=list(seen)).values_list(*STAMP_FIELDS)
    changed = [values[0] for values in current if stamp_of(values, request.user, now) != seen[values[0]][0]]
    if not changed:
        return HttpResponse(status=NO_CHANGE)
    open_pks = [pk for pk in changed if seen[pk][1]]
    closed_pks = [pk for pk in changed if not seen[pk][1]]
    found = {n.pk: (n, True) for n in with_card_relations(Notification.objects.filter(pk__in=open_pks))}
    found.update({n.pk: (n, False) for n in with_row_relations(Notification.objects.filter(pk__in=closed_pks))})
    updates = [found[pk] for pk in changed if pk in found]
    context = {"updates": updates, "approval_policy": ApprovalPolicy.load()}
    return render(request, "notifications/_live_rows.html", context)
