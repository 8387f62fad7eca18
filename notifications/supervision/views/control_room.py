"""Control-room pages inside the admin: dashboard, AI usage and budget, "import all five".

Wrapped by `admin.site.admin_view` in urls.py (staff only, else the admin login);
each view then checks the permission its data needs, so a URL typed by hand is
refused just as a hidden menu item would be.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from customers.importing.schema import SPECS
from customers.models import ImportRun
from notifications.analysis.selectors.budget import (
    bedrock_budget_exhausted,
    bedrock_spend_this_month,
    monthly_budget_gbp,
)
from notifications.supervision.forms import ImportAllForm
from notifications.supervision.selectors.dashboard import dashboard as dashboard_figures
from notifications.supervision.selectors.imports import recent_import_runs
from notifications.supervision.selectors.usage import totals, usage_by_day, usage_by_job
from notifications.supervision.services.imports import create_import_run, read_progress

POLL_SECONDS = 2


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _context(request: HttpRequest, title: str, **extra: object) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, "queue.view_notification")
    figures = dashboard_figures()
    queue_rows = [(p, figures.queue[p], figures.queue_totals[p]) for p in figures.queue]
    return render(
        request,
        "admin/control/dashboard.html",
        _context(request, "Supervisor dashboard", d=figures, queue_rows=queue_rows, refresh=60),
    )


def usage(request: HttpRequest) -> HttpResponse:
    _require(request, "analysis.view_aicall")
    job_id = request.GET.get("job")
    jobs = usage_by_job(job_id=int(job_id) if job_id and job_id.isdigit() else None)
    days = usage_by_day()
    exhausted, reason = bedrock_budget_exhausted()
    if exhausted:
        messages.warning(request, f"{reason}: new Bedrock calls are answered by the offline rules (marked fallback).")
    return render(
        request,
        "admin/control/usage.html",
        _context(
            request,
            "AI usage and budget",
            jobs=jobs,
            days=days,
            day_totals=totals(days),
            budget=monthly_budget_gbp(),
            spend=bedrock_spend_this_month(),
            exhausted=exhausted,
            can_change_budget=request.user.has_perm("analysis.change_providersettings"),
        ),
    )


def import_all(request: HttpRequest) -> HttpResponse:
    _require(request, "customers.add_importrun")
    if request.method == "POST":
        form = ImportAllForm(request.POST, request.FILES)
        if form.is_valid():
            run = create_import_run({spec.key: form.cleaned_data[spec.key] for spec in SPECS}, user=request.user)
            return redirect("control:import_progress", pk=run.pk)
    else:
        form = ImportAllForm()
    context = _context(request, "Import all five", form=form, recent=recent_import_runs())
    return render(request, "admin/control/import_all.html", context)


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "customers.view_importrun")
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    progress = read_progress(run)
    files = [
        (spec.key, spec.filename, run.files.get(spec.key), progress.get(spec.key))
        for spec in SPECS
        if spec.key in run.files
    ]
    by_dataset = {s["dataset"]: s for s in run.summaries or []}
    return render(
        request,
        "admin/control/import_progress.html",
        _context(
            request,
            f"Import {run.pk}",
            run=run,
            files=[(key, name, upload, rows, by_dataset.get(key)) for key, name, upload, rows in files],
            refresh=None if run.is_finished else POLL_SECONDS,
        ),
    )
