"""Run analysis and its progress bar, read from the AnalysisJob row (the single source of truth)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HTMX_STOP_POLLING, trigger_client_event

from notifications.jobs.selectors import job_for_panel
from notifications.jobs.services import start_job
from notifications.workspace.views.common import QUEUE_CHANGED, workspace_view

JOB_FINISHED = "jobFinished"  # the queue re-fetches itself on this event


@require_POST
@workspace_view("queue.run_analysis")
def run_analysis(request: HttpRequest) -> HttpResponse:
    """Start a full run; if one is already running, the jobs layer hands back that one."""
    job = start_job(created_by=request.user)
    if not request.htmx:
        return redirect("notifications:queue")
    response = render(request, "notifications/_job.html", {"job": job})
    trigger_client_event(response, QUEUE_CHANGED)
    return response


@require_GET
@workspace_view()
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every second; 286 stops htmx polling once the job has finished."""
    job = job_for_panel(pk)
    if job is None:  # deleted (e.g. in admin): stop polling rather than poll a 404 forever
        return render(request, "notifications/_job.html", {"job": None}, status=HTMX_STOP_POLLING)
    response = render(request, "notifications/_job.html", {"job": job, "just_finished": job.is_finished})
    if job.is_finished:
        response.status_code = HTMX_STOP_POLLING
        trigger_client_event(response, JOB_FINISHED, {"job": job.pk, "status": job.status})
        trigger_client_event(response, QUEUE_CHANGED)
    return response
