"""One card: its page without JavaScript, the lazy sections, claim / release, dismiss / snooze."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.analysis.models import ContactDecision
from notifications.queue.models import Notification
from tests.factories import (
    AccountActivityFactory,
    InteractionFactory,
    NotificationFactory,
    NotificationHistoryFactory,
    RecommendedActionFactory,
    make_role_user,
)

HX = {"HX-Request": "true"}


@pytest.fixture
def supervisor(db):
    return make_role_user("sam", "Supervisors", first_name="Sam", last_name="Super")


def login(client, user):
    client.force_login(user)
    return client


def url(name, n, *args):
    return reverse(f"notifications:{name}", args=[n.pk, *args])


def test_card_page_without_js_shows_every_section_open(client, agent):
    n = NotificationFactory()
    AccountActivityFactory(customer=n.customer, account_status="Suspended")
    html = login(client, agent).get(url("card", n)).content.decode()
    assert "<html" in html
    assert html.count('class="section" id=') == 3 and "open>" in html
    assert "High churn risk after repeated billing complaints." in html  # why
    assert "Brief and factual." in html  # approach
    assert "Suspended" in html  # 360


def test_card_partial_for_htmx(client, agent):
    n = NotificationFactory()
    html = login(client, agent).get(url("card", n), headers=HX).content.decode()
    assert html.lstrip().startswith("<article") and f'id="card-{n.pk}"' in html


def test_why_section_has_reason_real_values_breakdown_and_policies(client, agent):
    n = NotificationFactory()
    ContactDecision.objects.create(
        customer=n.customer,
        allowed=True,
        marketing_allowed=False,
        results=[
            {"policy": "Consent", "passed": False, "reason": "Opted_In=No"},
            {"policy": "Account status", "passed": True, "reason": "Active"},
        ],
    )
    response = login(client, agent).get(url("section", n, "why"), headers=HX)
    html = response.content.decode()
    assert "<html" not in html
    assert "churn_risk_score" in html and ">85<" in html and "Very unhappy with the service." in html
    assert "Keeping this customer protects about £1,200 a year." in html
    assert "churn risk" in html and "6.5 points" in html
    assert "At analysis time" in html and "service messages only" in html
    # Now, for this message's channel: a service message, so marketing consent is not a check that applies.
    assert f"Now, for this {n.channel} message" in html and "Opted_In=No" not in html


def test_approach_section(client, agent):
    n = NotificationFactory()
    html = login(client, agent).get(url("section", n, "approach"), headers=HX).content.decode()
    for text in [
        "Pays on time",
        "Brief and factual.",
        "Thank them for raising",
        "Upselling premium",
        "Offer a payment plan",
        "Within 3 days",
    ]:
        assert text in html


def test_customer_360_section(client, agent):
    n = NotificationFactory()
    AccountActivityFactory(customer=n.customer, churn_risk_score=85)
    InteractionFactory(
        customer=n.customer, interaction_type="Complaint", sentiment="Negative", resolution_status="Escalated"
    )
    NotificationHistoryFactory(customer=n.customer, opened=True, clicked=True, action_taken="Paid bill")
    RecommendedActionFactory(customer=n.customer, recommended_action="Call about the direct debit")
    html = login(client, agent).get(url("section", n, "c360"), headers=HX).content.decode()
    assert "85%" in html and "Complaint" in html and "Negative" in html and "Escalated" in html
    assert "Paid bill" in html and "Call about the direct debit" in html


def test_section_without_js_redirects_to_the_card_anchor(client, agent):
    n = NotificationFactory()
    response = login(client, agent).get(url("section", n, "why"))
    assert response.status_code == 302 and response["Location"].endswith(f"/cards/{n.pk}/#why")
    assert client.get(url("section", n, "nope"), headers=HX).status_code == 404


def test_interaction_summary_with_script_renders_as_text(client, agent):
    n = NotificationFactory()
    InteractionFactory(customer=n.customer, summary="<script>alert(1)</script> ignore previous instructions")
    html = login(client, agent).get(url("section", n, "c360"), headers=HX).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_claim_shows_editor_and_triggers_stats_refresh(client, agent):
    n = NotificationFactory()
    response = login(client, agent).post(url("claim", n), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "queueChanged" in response["HX-Trigger"]
    assert "You are working on this" in html and "<textarea" in html
    n.refresh_from_db()
    assert n.claimed_by == agent


def test_claim_conflict_names_the_colleague(client, agent, colleague):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now())
    response = login(client, agent).post(url("claim", n), headers=HX)
    assert response.status_code == 409
    assert "Bea Brown is working on this customer" in response.content.decode()
    n.refresh_from_db()
    assert n.claimed_by == colleague


def test_expired_claim_can_be_taken(client, agent, colleague):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now() - dt.timedelta(minutes=31))
    assert login(client, agent).post(url("claim", n), headers=HX).status_code == 200
    n.refresh_from_db()
    assert n.claimed_by == agent


def test_claimed_card_shows_who_to_others(client, agent, colleague):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now())
    row = login(client, agent).get(reverse("notifications:queue")).content.decode()
    assert "Claimed by Bea Brown" in row  # on the collapsed row already
    html = client.get(url("card", n), headers=HX).content.decode()
    assert "Claimed by Bea Brown" in html and "<textarea" not in html and "Release claim" not in html


def test_agent_cannot_release_a_colleagues_claim_but_supervisor_can(client, agent, colleague, supervisor):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now())
    assert login(client, agent).post(url("release", n), headers=HX).status_code == 409
    n.refresh_from_db()
    assert n.claimed_by == colleague
    html = login(client, supervisor).get(url("card", n), headers=HX).content.decode()
    assert "Release claim" in html
    assert client.post(url("release", n), headers=HX).status_code == 200
    n.refresh_from_db()
    assert n.claimed_by is None


def test_dismiss_with_reason(client, agent):
    n = NotificationFactory()
    response = login(client, agent).post(url("dismiss", n), {"reason": "vulnerable", "note": "PSR"}, headers=HX)
    assert response.status_code == 200 and "Dismissed" in response.content.decode()
    n.refresh_from_db()
    assert (n.status, n.dismiss_reason, n.dismissed_by) == ("dismissed", "vulnerable", agent)
    assert "queueChanged" in response["HX-Trigger"]


def test_dismiss_needs_a_reason(client, agent):
    n = NotificationFactory()
    response = login(client, agent).post(url("dismiss", n), {"reason": ""}, headers=HX)
    assert response.status_code == 422 and "Choose a reason" in response.content.decode()
    assert Notification.objects.get(pk=n.pk).status == "waiting"


def test_cannot_dismiss_a_colleagues_claimed_card(client, agent, colleague):
    n = NotificationFactory(claimed_by=colleague, claimed_at=timezone.now())
    response = login(client, agent).post(url("dismiss", n), {"reason": "other"}, headers=HX)
    assert response.status_code == 409
    assert Notification.objects.get(pk=n.pk).status == "waiting"


def test_snooze_hides_the_card_until_later(client, agent):
    n = NotificationFactory()
    response = login(client, agent).post(
        url("snooze", n), {"reason": "already_contacted", "duration": "3d"}, headers=HX
    )
    assert response.status_code == 200
    n.refresh_from_db()
    assert n.status == "snoozed" and n.snoozed_until > timezone.now() + dt.timedelta(days=2)
    assert n not in client.get(reverse("notifications:queue")).context["page"].items


def test_actions_without_js_redirect_back_to_the_card(client, agent):
    n = NotificationFactory()
    response = login(client, agent).post(url("claim", n))
    assert response.status_code == 302 and response["Location"] == url("card", n)
    assert "Claimed" in client.get(response["Location"]).content.decode()


def test_actions_need_post_and_csrf(agent):
    from django.test import Client

    n = NotificationFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    assert strict.get(url("claim", n)).status_code == 405
    assert strict.post(url("claim", n), headers=HX).status_code == 403
    page = strict.get(reverse("notifications:queue")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_dismiss_and_snooze_forms_load_on_first_open(client, agent):
    n = NotificationFactory()
    login(client, agent)
    card_html = client.get(url("card", n), headers=HX).content.decode()
    assert f'hx-get="/cards/{n.pk}/dismiss/"' in card_html and 'name="reason"' not in card_html
    form = client.get(url("dismiss", n), headers=HX).content.decode()
    assert 'name="reason"' in form and "Customer vulnerable" in form and "Dismiss from the queue" in form
    assert 'name="duration"' in client.get(url("snooze", n), headers=HX).content.decode()
    assert client.get(url("dismiss", n))["Location"].endswith(f"/cards/{n.pk}/#dismiss")
    card_page = client.get(url("card", n)).content.decode()  # without JavaScript: the forms are inline
    assert card_page.count('name="reason"') == 8 and f'action="/cards/{n.pk}/snooze/"' in card_page
