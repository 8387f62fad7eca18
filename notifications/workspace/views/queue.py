"""The queue page: the full page on a normal GET, the filtered list alone for htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from notifications.jobs.selectors import latest_job
from notifications.queue.models import ApprovalPolicy
from notifications.queue.selectors.queue import queue_page as select_queue_page
from notifications.workspace.forms import QueueFilterForm
from notifications.workspace.selectors import queue_stats
from notifications.workspace.views.common import workspace_view


@workspace_view()
def queue_page(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    page = select_queue_page(form.to_filters(), request.user)
    context = {"form": form, "page": page, "filters": page.filters, "approval_policy": ApprovalPolicy.load()}
    # A history restore (back button after the cache is gone) needs the whole page.
    if request.htmx and not request.htmx.history_restore_request:
        if not page.total:  # the empty state says what to do, which depends on the last run
            context["last_job"] = latest_job()
        return render(request, "notifications/_workspace.html", context)
    stats = queue_stats(request.user)
    context.update(stats=stats, job=stats.last_job, last_job=stats.last_job)
    return render(request, "notifications/queue_page.html", context)
