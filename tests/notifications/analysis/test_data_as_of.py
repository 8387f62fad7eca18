"""Recency is measured from the day the data was true, not from the day the analysis runs; and the
supplier's own account statuses (At Risk, Dormant) are reasons to get in touch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from customers.models import ImportRun
from notifications.analysis.analysts.offline import OfflineAnalyst
from notifications.analysis.analysts.offline import rules as R
from notifications.profiles.selectors import load_profile
from tests.factories import AccountActivityFactory
from tests.fakes.profiles import activity, at, make_profile, notification

EXPORT_DAY = dt.date(2025, 9, 28)  # a months-old supplier export


def factors(profile, analyst=None) -> dict[str, str]:
    result = (analyst or OfflineAnalyst()).prioritise(profile)
    return {f.field: f.why for f in result.trigger_factors}


def test_days_since_login_count_from_the_data_not_from_today():
    profile = make_profile(as_of=EXPORT_DAY, activity=activity(last_login=at("2025-07-20")))
    assert factors(profile)["activity.last_login"] == "no login for 70 days"


def test_a_recent_login_in_an_old_export_is_recent():
    profile = make_profile(as_of=EXPORT_DAY, activity=activity(last_login=at("2025-09-21")))
    assert "activity.last_login" not in factors(profile)  # a week before the export, not 14 months before today


def test_a_fixed_day_still_wins_for_tests_and_benchmarks():
    profile = make_profile(as_of=EXPORT_DAY, activity=activity(last_login=at("2025-09-21")))
    analyst = OfflineAnalyst(today=dt.date(2025, 12, 21))
    assert factors(profile, analyst)["activity.last_login"] == "no login for 91 days"


@pytest.mark.django_db
def test_profiles_carry_the_as_of_day_of_the_newest_successful_import():
    customer = AccountActivityFactory().customer
    assert load_profile(customer.pk).as_of is None  # nothing imported yet: measured from today
    ImportRun.objects.create(status="succeeded", as_of=dt.datetime(2025, 9, 27, 23, 30, tzinfo=dt.UTC),
                             finished_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    ImportRun.objects.create(status="failed", as_of=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
                             finished_at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC))  # fmt: skip
    assert load_profile(customer.pk).as_of == EXPORT_DAY  # 00:30 BST on 28 September; failed runs don't count


def test_at_risk_accounts_are_a_risk_signal():
    steady = make_profile(activity=activity(account_status="Active", churn_risk_score=Decimal("40")))
    at_risk = make_profile(activity=activity(account_status="At Risk", churn_risk_score=Decimal("40")))
    assert OfflineAnalyst().prioritise(at_risk).risk_score > OfflineAnalyst().prioritise(steady).risk_score
    assert factors(at_risk)["activity.account_status"] == (
        "the supplier's own account status marks this customer as likely to leave"
    )
    points = {c.factor: c.points for c in OfflineAnalyst().prioritise(at_risk).score_breakdown}
    assert points["account at risk"] == R.RISK["status_at_risk"]


def test_a_dormant_account_is_a_reason_to_re_engage():
    profile = make_profile(activity=activity(account_status="Dormant", engagement_score=70))
    result = OfflineAnalyst().prioritise(profile)
    assert result.should_contact and result.situation == "engagement"
    assert factors(profile)["activity.account_status"] == "the account has gone quiet: a reason to get back in touch"


def test_a_click_without_an_open_is_not_an_ignored_message():
    texts = [notification(n, channel="SMS", opened=False, clicked=True, sent_at=at(f"2025-09-2{n}")) for n in (1, 2, 3)]
    profile = make_profile(as_of=EXPORT_DAY, notifications=tuple(texts))
    assert "notifications.opened" not in factors(profile)
