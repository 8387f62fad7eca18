"""The uplift maths: rates and means with 95% intervals, the verdicts, and the breakdowns."""

import json

import pytest

from notifications.experiments.uplift import METRICS, Observation, compare_means, compare_rates, uplift_report

CHURN, COMPLAINT, ACTION, SCORE = METRICS


def obs(arm, churned=False, *, priority="High", situation="tariff_value", channel="Email", change=None):
    return Observation(arm, priority, situation, channel, churned, False, False, change)


# Newcombe (1998), "Interval estimation for the difference between independent proportions",
# Statistics in Medicine 17:873-890, Table II, method 10 (hybrid score, no continuity correction).
@pytest.mark.parametrize(
    ("t", "tn", "c", "cn", "low", "high"),
    [
        (56, 70, 48, 80, 5.24, 33.39),
        (9, 10, 3, 10, 17.05, 80.90),
        (6, 7, 2, 7, 5.82, 80.62),
        (5, 56, 0, 29, -3.81, 19.26),
    ],
)
def test_rate_interval_matches_newcombes_published_examples(t, tn, c, cn, low, high):
    result = compare_rates(CHURN, t, tn, c, cn)
    assert result.difference == pytest.approx(100 * (t / tn - c / cn))
    assert (round(result.low, 2), round(result.high, 2)) == (low, high)


def test_rates_are_percentages_and_the_difference_is_treated_minus_control():
    result = compare_rates(CHURN, 90, 1000, 150, 1000)
    assert (result.treated_value, result.control_value, result.difference) == (9.0, 15.0, -6.0)
    assert result.low < -6 < result.high < 0
    assert result.verdict == (
        "The churn rate was 6.0 points lower for contacted customers than for the control group "
        f"(95% interval {result.low:+.1f} to {result.high:+.1f}): contacting helped."
    )


def test_a_higher_rate_of_something_good_is_reported_as_helping():
    result = compare_rates(ACTION, 400, 1000, 300, 1000)
    assert result.verdict.startswith("The positive-action rate was 10.0 points higher for contacted customers")
    assert result.verdict.endswith("contacting helped.")


def test_a_higher_complaint_rate_is_reported_as_harm():
    result = compare_rates(COMPLAINT, 200, 1000, 100, 1000)
    assert result.verdict.endswith("contacting did harm.")


def test_a_tiny_sample_is_too_few_to_tell():
    result = compare_rates(CHURN, 1, 9, 1, 3)
    assert result.wide
    assert result.verdict.startswith(
        "Too few customers to tell yet: the churn rate could have changed by anything from"
    )


def test_a_narrow_interval_around_zero_is_no_clear_difference():
    result = compare_rates(CHURN, 1500, 10_000, 1490, 10_000)
    assert not result.wide
    assert result.verdict == (
        f"No clear difference: contacting changed the churn rate by between {result.low:+.1f} and "
        f"{result.high:+.1f} points."
    )


def test_a_wide_interval_that_excludes_zero_gives_the_direction_and_says_the_size_is_uncertain():
    result = compare_rates(CHURN, 2, 40, 12, 40)  # 5% against 30%
    assert result.wide and result.high < 0
    assert "points lower for contacted customers" in result.verdict
    assert result.verdict.endswith("The interval is wide: more customers will pin down the size.")


def test_no_control_group_yet():
    result = compare_rates(CHURN, 10, 100, 0, 0)
    assert result.control_value is None and result.difference is None
    assert result.verdict == "No control-group customers to compare against yet."


def test_score_change_uses_welchs_interval():
    # By hand: means 2.5 and 3.333; SE = sqrt(1.6667/4 + 2.3333/3) = 1.0929; Welch df = 3.96, t = 2.79.
    result = compare_means(SCORE, [1, 2, 3, 4], [2, 3, 5])
    assert result.difference == pytest.approx(-0.8333, abs=1e-4)
    assert result.low == pytest.approx(-3.88, abs=0.01)
    assert result.high == pytest.approx(2.21, abs=0.01)
    assert result.verdict.startswith("No clear difference: contacting changed the churn risk score change")


def test_score_change_needs_two_values_an_arm_and_some_spread():
    assert compare_means(SCORE, [1.0], [2.0, 3.0]).verdict == "Too few customers to tell yet."
    assert compare_means(SCORE, [1.0, 1.0], [1.0, 1.0]).verdict == "Too few customers to tell yet."


def test_report_counts_each_arm_overall_and_by_priority_situation_and_channel():
    rows = (
        [obs("treated", True, priority="Low", change=1.0)] * 3
        + [obs("treated", False, priority="High", channel="SMS", change=-2.0)] * 7
        + [obs("control", True, priority="High", situation="retention")] * 2
        + [obs("control", False, priority="Medium", change=4.0)] * 2
    )
    report = uplift_report(rows)
    assert (report.overall.treated_n, report.overall.control_n) == (10, 4)
    assert (report.headline.treated_value, report.headline.control_value, report.headline.difference) == (
        30.0,
        50.0,
        -20.0,
    )
    # The score change counts only customers with a score in the window.
    score = report.overall.comparisons["churn_change"]
    assert (score.treated_n, score.control_n, score.treated_value, score.control_value) == (10, 2, -1.1, 4.0)
    assert [(g.label, g.treated_n, g.control_n) for g in report.by["priority"]] == [
        ("High", 7, 2),
        ("Medium", 0, 2),
        ("Low", 3, 0),
    ]
    assert [(g.label, g.treated_n, g.control_n) for g in report.by["situation"]] == [
        ("retention", 0, 2),
        ("tariff_value", 10, 2),
    ]
    assert [(g.label, g.treated_n, g.control_n) for g in report.by["channel"]] == [("Email", 3, 4), ("SMS", 7, 0)]
    assert (
        report.by["channel"][1].comparisons["churned"].verdict == "No control-group customers to compare against yet."
    )


def test_report_as_json():
    report = uplift_report([obs("treated", True), obs("treated", False), obs("control", False), obs("control", True)])
    data = json.loads(json.dumps(report.as_dict()))
    assert data["headline"]["metric"] == "churned"
    assert (data["headline"]["treated"], data["headline"]["control"], data["headline"]["difference"]) == (50, 50, 0)
    assert data["headline"]["verdict"].startswith("Too few customers to tell yet")
    assert [g["label"] for g in data["by"]["priority"]] == ["High"]
    assert data["wide_points"] == 5.0
