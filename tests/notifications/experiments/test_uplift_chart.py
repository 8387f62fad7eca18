"""The uplift forest plot's geometry: one shared axis, zero marked, estimates inside their whiskers."""

from notifications.experiments.chart import LABEL_W, PLOT_W, forest_chart
from notifications.experiments.uplift import METRICS, Observation, uplift_report

CHURN, COMPLAINT = METRICS[0], METRICS[1]


def rows(arm: str, n: int, churned: int, **where) -> list[Observation]:
    fields = {"priority": "High", "situation": "tariff_value", "channel": "Email", **where}
    return [
        Observation(
            arm, fields["priority"], fields["situation"], fields["channel"], i < churned, i < churned, False, None
        )
        for i in range(n)
    ]


def test_rows_are_overall_then_each_dimension_with_sizes_and_readable_labels():
    report = uplift_report(
        rows("treated", 900, 45)
        + rows("control", 100, 10)
        + rows("treated", 50, 5, priority="Low", situation="retention")
    )
    chart = forest_chart(report, CHURN)
    assert [(r.label, r.header) for r in chart.rows] == [
        ("All customers", False),
        ("By priority", True),
        ("High (900/100)", False),
        ("Low (50/0)", False),
        ("By situation", True),
        ("Retention (50/0)", False),
        ("Tariff value (900/100)", False),
        ("By channel", True),
        ("Email (950/100)", False),
    ]
    assert [r.y for r in chart.rows] == [37, 59, 81, 103, 125, 147, 169, 191, 213]
    low = chart.rows[3]
    assert (low.x, low.text, low.title) == (
        None,
        "no interval yet",
        "No control-group customers to compare against yet.",
    )


def test_zero_and_every_interval_are_on_the_axis_and_each_estimate_inside_its_whiskers():
    report = uplift_report(rows("treated", 2000, 100) + rows("control", 400, 48))  # 5% against 12%
    chart = forest_chart(report, CHURN)
    assert (chart.plot_left, chart.plot_right) == (LABEL_W, LABEL_W + PLOT_W)
    assert ("0" in dict(chart.ticks).values()) and chart.plot_left <= chart.zero_x <= chart.plot_right
    overall = chart.rows[0]
    assert chart.plot_left <= overall.low_x < overall.x < overall.high_x < chart.zero_x
    assert overall.text.startswith("-7.0 (")
    assert overall.css == "uplift--helped"  # churn lower for the contacted: good


def test_a_rise_in_complaints_is_drawn_as_harm_and_an_interval_across_zero_as_unclear():
    harm = forest_chart(uplift_report(rows("treated", 2000, 240) + rows("control", 400, 20)), COMPLAINT)
    assert harm.rows[0].css == "uplift--harm"
    assert harm.rows[0].x > harm.zero_x
    unclear = forest_chart(uplift_report(rows("treated", 30, 3) + rows("control", 10, 1)), CHURN)
    assert unclear.rows[0].css == "uplift--unclear"
    assert unclear.rows[0].low_x < unclear.zero_x < unclear.rows[0].high_x


def test_with_nothing_measured_the_axis_still_spans_zero_in_whole_steps():
    chart = forest_chart(uplift_report([]), CHURN)
    assert [label for _, label in chart.ticks] == ["-6", "-4", "-2", "0", "+2", "+4", "+6"]
    assert chart.rows[0].text == "no interval yet"


def test_a_tiny_groups_huge_interval_runs_to_the_edge_instead_of_squashing_the_axis():
    report = uplift_report(
        rows("treated", 2000, 100) + rows("control", 400, 48) + rows("treated", 2, 0, channel="SMS")
        + rows("control", 1, 1, channel="SMS")
    )  # fmt: skip
    chart = forest_chart(report, CHURN)
    labels = [label for _, label in chart.ticks]
    assert labels[0] == "-30"
    sms = next(r for r in chart.rows if r.label.startswith("SMS"))
    assert sms.low_x == sms.x == chart.plot_left  # -100 points, drawn at the edge
    assert sms.text.startswith("-100.0 (")  # the real figures are still written beside the plot
