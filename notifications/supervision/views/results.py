"""The results page: funnels with server-rendered SVG bar charts (no JS, no CDN), numbers beside them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from notifications.queue.funnel import STAGES
from notifications.supervision.selectors.results import DIMENSIONS, FunnelGroup, results
from notifications.workspace.views.common import workspace_view

WINDOWS = (4, 12, 52)  # weeks
BAR_H, BAR_GAP, GROUP_GAP, LABEL_W, CHART_W = 14, 3, 14, 150, 420
STAGE_CLASS = {stage: f"bar--{stage}" for stage in STAGES}


@dataclass
class Bar:
    stage: str
    value: int
    rate: float
    x: int
    y: int
    width: int
    css: str

    @property
    def pct(self) -> int:
        return round(self.rate * 100)


@dataclass
class ChartGroup:
    label: str
    y: int  # the label's baseline
    bars: list[Bar]
    group: FunnelGroup


@dataclass
class Chart:
    key: str
    title: str
    height: int
    width: int
    groups: list[ChartGroup]


def build_chart(key: str, title: str, groups: list[FunnelGroup]) -> Chart:
    """Bar geometry in pixels: one block of five bars (sent → actioned) per group, scaled to the largest."""
    peak = max((g.counts["sent"] for g in groups), default=0) or 1
    y, out = 4, []
    for g in groups:
        bars = []
        for i, stage in enumerate(STAGES):
            value = g.counts[stage]
            width = round(CHART_W * value / peak)
            bars.append(
                Bar(
                    stage,
                    value,
                    g.rate(stage),
                    LABEL_W,
                    y + i * (BAR_H + BAR_GAP),
                    max(width, 1 if value else 0),
                    STAGE_CLASS[stage],
                )
            )
        out.append(ChartGroup(g.label, y + 2 * (BAR_H + BAR_GAP) + BAR_H - 3, bars, g))
        y += len(STAGES) * (BAR_H + BAR_GAP) + GROUP_GAP
    return Chart(key, title, max(y, 20), LABEL_W + CHART_W + 120, out)


@require_GET
@workspace_view()
def results_page(request: HttpRequest) -> HttpResponse:
    try:
        weeks = int(request.GET.get("weeks", 12))
    except ValueError:
        weeks = 12
    weeks = weeks if weeks in WINDOWS else 12
    data = results(weeks=weeks)
    charts = [build_chart(key, title, data.by[key]) for key, title in DIMENSIONS.items()]
    peak_bucket = max((count for _, count in data.response_times), default=0) or 1
    response_bars = [
        {"label": label, "count": count, "width": round(300 * count / peak_bucket), "y": 4 + i * 22}
        for i, (label, count) in enumerate(data.response_times)
    ]
    context = {
        "data": data,
        "weeks": weeks,
        "windows": WINDOWS,
        "stages": STAGES,
        "total_chart": build_chart("all", "All messages", [data.total]),
        "charts": charts,
        "response_bars": response_bars,
        "response_height": 8 + 22 * len(response_bars),
    }
    return render(request, "notifications/results/results_page.html", context)
