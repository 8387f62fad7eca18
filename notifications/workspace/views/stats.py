"""The header figures, re-fetched on every `queueChanged` event and every 30 s."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from notifications.workspace.selectors import queue_stats
from notifications.workspace.views.common import workspace_view


@require_GET
@workspace_view()
def stats(request: HttpRequest) -> HttpResponse:
    # oob_job: while a run is going, the job panel rides along (out of band) so every open page shows it.
    return render(request, "notifications/_stats.html", {"stats": queue_stats(request.user), "oob_job": True})
