"""The queue page: access, full page vs partial, filters, search, pagination, escaping, query count."""

import pytest
from django.urls import reverse

from notifications.queue.models import Notification
from notifications.queue.tasks import wake_snoozed
from tests.factories import SAMPLE_DETAIL, CustomerFactory, NotificationFactory, make_role_user

HX = {"HX-Request": "true"}
QUEUE = reverse("notifications:queue")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_htmx_request_redirects_whole_page(client, db):
    response = client.get(reverse("notifications:stats"), headers=HX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_user_without_a_role_is_refused(client, db):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_user("nobody"))
    assert client.get(QUEUE).status_code == 403


def test_full_page_has_stats_and_cards(agent_client):
    NotificationFactory(customer__name="Morag MacLeod", customer__customer_id="CUST000777")
    response = agent_client.get(QUEUE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'id="stats"' in html and "Run analysis" not in html  # agents cannot run one
    assert "Morag MacLeod" in html and "CUST000777" in html
    assert "htmx-2.0.11.min.js" in html  # served locally, pinned


def test_htmx_request_gets_the_workspace_partial_only(agent_client):
    NotificationFactory(customer__name="Morag MacLeod")
    response = agent_client.get(QUEUE, headers=HX)
    html = response.content.decode()
    assert "<html" not in html and 'id="stats"' not in html
    assert 'id="filters"' in html and "Morag MacLeod" in html


def test_history_restore_gets_the_full_page(agent_client):
    response = agent_client.get(QUEUE, headers={**HX, "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_a_row_shows_what_an_agent_needs_at_a_glance(agent_client):
    NotificationFactory(
        customer__name="Morag MacLeod", risk_score=8, channel="SMS", urgency="Immediate", kind="marketing"
    )
    html = agent_client.get(QUEUE).content.decode()
    assert "Morag MacLeod" in html
    assert 'title="Risk 8/10: high risk"' in html and '<span class="risk__num">8' in html
    assert '<span class="pill pill--high">High</span>' in html
    assert '<span class="qrow__urgency">Immediate</span>' in html
    assert ">SMS <abbr" in html and "Marketing message" in html
    assert "High churn risk after repeated billing complaints." in html  # the analyst's reason, one line
    assert ">Free</span>" in html  # nobody has claimed it
    assert "<textarea" not in html and "churn_risk_score" not in html  # the card loads when the row opens


def test_the_open_card_has_the_details(agent_client):
    n = NotificationFactory(risk_score=8, churn_risk=72, is_fallback=True, channel="SMS")
    html = agent_client.get(reverse("notifications:card", args=[n.pk]), headers=HX).content.decode()
    assert "8/10 · high risk" in html and "72%" in html and "86%" in html  # risk, churn, segment confidence
    assert "Service by SMS" in html and "Fallback analysis" in html
    assert html.count('<details class="section"') == 3  # closed by default (no `open`)


def test_the_first_page_of_fifty_rows_stays_under_80_kb(agent_client):
    long_reason = {**SAMPLE_DETAIL, "contact_reason": "A long reason. " * 40}
    NotificationFactory.create_batch(60, customer__name="Morag MacLeod-Stewart", analysis__detail=long_reason)
    response = agent_client.get(QUEUE)
    assert len(response.context["page"].items) == 50
    assert len(response.content) <= 80 * 1024, len(response.content)


def test_an_agent_with_an_empty_queue_is_told_to_ask_a_supervisor(agent_client):
    html = agent_client.get(QUEUE).content.decode()
    assert "No analysis yet — ask a supervisor to run one." in html and "Run analysis" not in html


def test_a_supervisor_with_an_empty_queue_gets_the_button(client, supervisor):
    client.force_login(supervisor)
    html = client.get(QUEUE, headers=HX).content.decode()
    assert "No analysis yet" in html and ">Run analysis</button>" in html


def test_an_empty_queue_after_a_run_says_everything_was_worked(agent_client):
    from notifications.analysis.models import AnalysisJob

    AnalysisJob.objects.create(provider="offline", status="succeeded", total=10, drafts=4)
    html = agent_client.get(QUEUE).content.decode()
    assert "Nothing waiting" in html and "has been sent, dismissed or snoozed" in html


def test_filters_that_match_nothing_offer_to_clear_them(agent_client):
    NotificationFactory(priority="High")
    html = agent_client.get(QUEUE, {"priority": "Low"}, headers=HX).content.decode()
    assert "No drafts match these filters" in html and "Clear the filters" in html


def _names(response) -> list[str]:
    return [n.customer.name for n in response.context["page"].items]


def test_queue_order_is_priority_then_risk_then_churn(agent_client):
    NotificationFactory(customer__name="low", priority="Low", risk_score=10)
    NotificationFactory(customer__name="high-7", priority="High", risk_score=7)
    NotificationFactory(customer__name="high-9-churn-50", priority="High", risk_score=9, churn_risk=50)
    NotificationFactory(customer__name="high-9-churn-90", priority="High", risk_score=9, churn_risk=90)
    NotificationFactory(customer__name="medium", priority="Medium", risk_score=10)
    assert _names(agent_client.get(QUEUE)) == ["high-9-churn-90", "high-9-churn-50", "high-7", "medium", "low"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"priority": "High"}, ["high-email"]),
        ({"channel": "SMS"}, ["medium-sms"]),
        ({"kind": "marketing"}, ["low-marketing"]),
        ({"urgency": "Immediate"}, ["medium-sms"]),
        ({"fallback": "on"}, ["low-marketing"]),
        ({"priority": "nonsense"}, ["high-email", "medium-sms", "low-marketing"]),  # invalid filter ignored
    ],
)
def test_filters(agent_client, query, expected):
    NotificationFactory(customer__name="high-email", priority="High")
    NotificationFactory(customer__name="medium-sms", priority="Medium", channel="SMS", urgency="Immediate")
    NotificationFactory(customer__name="low-marketing", priority="Low", kind="marketing", is_fallback=True)
    assert _names(agent_client.get(QUEUE, query, headers=HX)) == expected


def test_status_filters(agent_client, agent):
    from django.utils import timezone

    now = timezone.now()
    NotificationFactory(customer__name="waiting")
    NotificationFactory(customer__name="mine", claimed_by=agent, claimed_at=now)
    NotificationFactory(customer__name="sent", status="sent", sent_at=now, sent_by=agent)
    NotificationFactory(customer__name="dismissed", status="dismissed", dismissed_at=now, dismiss_reason="other")
    NotificationFactory(customer__name="snoozed", status="snoozed", snoozed_until=now + timezone.timedelta(days=1))
    NotificationFactory(customer__name="snooze-over", status="snoozed", snoozed_until=now - timezone.timedelta(hours=1))
    wake_snoozed()  # beat, every minute
    assert sorted(_names(agent_client.get(QUEUE))) == ["mine", "snooze-over", "waiting"]
    assert _names(agent_client.get(QUEUE, {"status": "mine"})) == ["mine"]
    assert _names(agent_client.get(QUEUE, {"status": "sent"})) == ["sent"]
    assert _names(agent_client.get(QUEUE, {"status": "dismissed"})) == ["dismissed"]
    assert _names(agent_client.get(QUEUE, {"status": "snoozed"})) == ["snoozed"]


def test_search_by_name_or_customer_id(agent_client):
    NotificationFactory(customer__name="Morag MacLeod", customer__customer_id="CUST000101")
    NotificationFactory(customer__name="Morag Stewart", customer__customer_id="CUST000102")
    NotificationFactory(customer__name="Iain Fraser", customer__customer_id="CUST000103")
    assert sorted(_names(agent_client.get(QUEUE, {"q": "morag"}))) == ["Morag MacLeod", "Morag Stewart"]
    assert _names(agent_client.get(QUEUE, {"q": "cust000103"})) == ["Iain Fraser"]


def test_id_search_for_someone_not_queued_explains_why(agent_client):
    from notifications.analysis.models import ContactDecision

    customer = CustomerFactory(name="Flora Kerr", customer_id="CUST000555")
    ContactDecision.objects.create(
        customer=customer,
        allowed=False,
        results=[{"policy": "Frequency cap", "passed": False, "reason": "1 marketing message in the last 7 days"}],
    )
    html = agent_client.get(QUEUE, {"q": "CUST000555"}).content.decode()
    assert "Flora Kerr" in html and "is not in this view" in html
    assert "not to be contacted" in html and "1 marketing message in the last 7 days" in html


def test_pagination_50_a_page_and_filters_kept_in_links(agent_client):
    NotificationFactory.create_batch(55, priority="High", channel="SMS")
    first = agent_client.get(QUEUE, {"channel": "SMS"})
    assert len(first.context["page"].items) == 50
    html = first.content.decode()
    assert "Showing 1–50 of 55" in html
    assert 'href="?channel=SMS&amp;page=2"' in html
    second = agent_client.get(QUEUE, {"channel": "SMS", "page": 2})
    assert len(second.context["page"].items) == 5 and "Showing 51–55 of 55" in second.content.decode()
    assert agent_client.get(QUEUE, {"page": "999"}).context["page"].page == 2  # clamped to the last page


def test_filter_form_pushes_the_url(agent_client):
    html = agent_client.get(QUEUE).content.decode()
    assert 'hx-push-url="true"' in html and 'method="get"' in html  # shareable, works without JS


def test_ai_and_csv_text_is_escaped(agent_client):
    evil = "<script>alert('x')</script>"
    NotificationFactory(customer__name=evil, body=f"Hi {evil}", subject=evil)
    html = agent_client.get(QUEUE).content.decode()
    assert evil not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize("cards", [5, 60])
def test_constant_queries_per_page_view(agent_client, django_assert_num_queries, cards):
    from django.utils import timezone

    other = make_role_user("bea", "Agents")
    NotificationFactory.create_batch(cards, claimed_by=other, claimed_at=timezone.now(), edited_by=other)
    # session, user, 2 × permissions, count, page ids, rows, the approval policy, 2 × stats, last job, data as-of:
    # 12 at any size (a GET never wakes snoozes: beat does)
    with django_assert_num_queries(12):
        response = agent_client.get(QUEUE)
    assert len(response.context["page"].items) == min(cards, 50)
    # the htmx partial for a search: no stats, and one id scan gives both the count and the page
    with django_assert_num_queries(7):
        agent_client.get(QUEUE, {"q": "Morag", "priority": "High"}, headers=HX)
    with django_assert_num_queries(6):  # session, user, 2 × permissions, the card, the approval policy
        agent_client.get(reverse("notifications:card", args=[response.context["page"].items[0].pk]), headers=HX)


def test_due_snoozes_come_back_to_the_queue_from_beat_and_reading_the_queue_writes_nothing(agent_client):
    from django.utils import timezone

    n = NotificationFactory(status="snoozed", snoozed_until=timezone.now() - timezone.timedelta(minutes=1))
    assert agent_client.get(QUEUE).context["page"].items == []  # a GET never changes a draft
    n.refresh_from_db()
    assert n.status == "snoozed"
    assert wake_snoozed() == 1
    assert [item.pk for item in agent_client.get(QUEUE).context["page"].items] == [n.pk]
    n.refresh_from_db()
    assert (n.status, n.snoozed_until) == ("waiting", None)


def test_search_count_is_capped_and_says_so(agent_client, settings, monkeypatch):
    from notifications.queue.selectors import queue as queue_selectors

    monkeypatch.setattr(queue_selectors, "SEARCH_CAP", 3)
    NotificationFactory.create_batch(5, customer__name="Morag Same")
    html = agent_client.get(QUEUE, {"q": "morag"}).content.decode()
    assert "Showing 1–3 of 3+" in html and "narrow the search" in html


ENDPOINTS = [
    ("get", "notifications:queue", False),
    ("get", "notifications:stats", False),
    ("post", "notifications:run_analysis", False),
    ("get", "notifications:job_progress", False),
    ("get", "notifications:card", True),
    ("post", "notifications:claim", True),
    ("post", "notifications:release", True),
    ("post", "notifications:dismiss", True),
    ("post", "notifications:snooze", True),
    ("post", "notifications:draft", True),
    ("post", "notifications:revert", True),
    ("get", "notifications:send_confirm", True),
    ("post", "notifications:send", True),
    ("get", "notifications:live", False),
    ("post", "notifications:request_approval", True),
]


@pytest.mark.parametrize(("method", "name", "with_pk"), ENDPOINTS)
def test_every_endpoint_needs_login_and_a_role(client, db, method, name, with_pk):
    from django.contrib.auth.models import User

    from notifications.analysis.models import AnalysisJob

    n = NotificationFactory()
    job = AnalysisJob.objects.create(provider="offline", status="running", total=1)
    args = [n.pk] if with_pk else [job.pk] if name.endswith("job_progress") else []
    path = reverse(name, args=args)
    anonymous = getattr(client, method)(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    client.force_login(User.objects.create_user("norole"))
    refused = getattr(client, method)(path, headers=HX)
    assert refused.status_code == 403
    assert "not allowed to do that" in refused.content.decode() and "<html" not in refused.content.decode()
    assert Notification.objects.get(pk=n.pk).status == "waiting"
