"""The results page's uplift section: treated against control, with a forest plot (server-rendered SVG).

Loaded by htmx after the page (the report reads outcomes for every customer in the
experiment, so it must not slow the funnels down); opened directly, it is a page of its own.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from notifications.experiments.chart import forest_chart
from notifications.experiments.models import HoldoutExperiment
from notifications.experiments.selectors import experiment_uplift
from notifications.experiments.uplift import METRICS
from notifications.workspace.views.common import workspace_view


@require_GET
@workspace_view()
def uplift_section(request: HttpRequest) -> HttpResponse:
    experiment = HoldoutExperiment.load()
    summary = experiment_uplift(experiment)
    context = {
        "experiment": experiment,
        "share_pct": f"{float(experiment.share) * 100:g}",
        "summary": summary,
        "overall": list(summary.report.overall.comparisons.values()),
        "charts": [forest_chart(summary.report, m) for m in METRICS],
    }
    template = "_uplift.html" if request.htmx else "uplift_page.html"
    return render(request, f"notifications/results/{template}", context)
