"""Every model is in the admin, every list and detail page renders, and lists do not do N+1 queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import ImportRun
from notifications.analysis.models import AICall, AnalysisJob, ContactDecision
from notifications.contact_rules.models import ConsentChange
from notifications.queue.models import Approval, Delivery, NotificationEvent
from notifications.staff.services import record_staff_action
from tests.factories import (
    AccountActivityFactory,
    CustomerAnalysisFactory,
    InteractionFactory,
    NotificationFactory,
    NotificationHistoryFactory,
    RecommendedActionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client, user


def _make_rows(n: int, user) -> None:
    """n rows of every model, each with its foreign keys filled (what a list would fetch per row)."""
    job = AnalysisJob.objects.create(provider="offline", created_by=user, status="succeeded")
    for _ in range(n):
        notification = NotificationFactory(job=job, claimed_by=user, claimed_at=timezone.now())
        customer = notification.customer
        AccountActivityFactory(customer=customer)
        InteractionFactory(customer=customer)
        NotificationHistoryFactory(customer=customer)
        RecommendedActionFactory(customer=customer)
        CustomerAnalysisFactory(customer=customer, job=None)
        ContactDecision.objects.create(customer=customer, allowed=True, results=[])
        AICall.objects.create(
            job=job, customer=customer, provider="bedrock", operation="draft", cost_gbp=Decimal("0.01")
        )
        Approval.objects.create(notification=notification, version=1, approved_by=user, approved_at=timezone.now())
        record_staff_action(user, "approved", notification)
        ImportRun.objects.create(created_by=user, files={"profiles": "p.csv"})
        NotificationEvent.objects.create(
            notification=notification, kind="drafted", occurred_at=timezone.now(), source="worker", user=user
        )
        ConsentChange.objects.create(
            customer=customer, marketing_consent=False, source="agent", occurred_at=timezone.now(), recorded_by=user
        )
        Delivery.objects.create(notification=notification, channel="Email")


def _changelist_urls() -> list[str]:
    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]


def test_every_project_model_is_registered():
    registered = set(admin.site._registry)
    for app in ("customers", "staff", "contact_rules", "queue", "analysis", "delivery", "experiments"):
        from django.apps import apps

        for model in apps.get_app_config(app).get_models():
            assert model in registered, f"{model._meta.label} is not in the admin"


def test_every_list_and_detail_page_renders(root):
    client, user = root
    _make_rows(2, user)
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_list_query_counts_do_not_grow_with_rows(root):
    client, user = root
    _make_rows(2, user)
    singletons = ("providersettings", "approvalpolicy", "holdoutexperiment")
    urls = [u for u in _changelist_urls() if not any(name in u for name in singletons)]
    small = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        small[url] = len(ctx)
    _make_rows(6, user)
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx) <= small[url], f"{url}: {small[url]} queries for 2 rows, {len(ctx)} for 8 (N+1)"


def test_customer_page_shows_capped_read_only_inlines(root):
    client, user = root
    notification = NotificationFactory()
    customer = notification.customer
    for i in range(30):
        InteractionFactory(customer=customer, summary=f"Summary number {i}")
    AccountActivityFactory(customer=customer)
    NotificationHistoryFactory(customer=customer)
    RecommendedActionFactory(customer=customer, scenario="Payment plan review")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for title in (
        "Account activit",
        "Interactions",
        "notification history",
        "Recommended actions",
        "analyses",
        "drafts and sent notifications",
    ):
        assert title.lower() in html.lower(), title
    assert html.count("Summary number") == 20  # capped at the newest 20
    assert "Summary number 29" in html and "Summary number 0<" not in html
    assert "Payment plan review" in html
    assert notification.original_body in html
    # AI output is shown as text, not as an input
    assert 'name="notifications-0-body"' not in html
    assert "customer__id__exact" in html  # links to the full lists
    assert len(ctx) < 60


def test_inlines_do_not_query_per_row(root):
    client, user = root
    first = NotificationFactory(sent_by=user)
    url = reverse("admin:customers_customer_change", args=[first.customer.pk])
    for _ in range(3):
        InteractionFactory(customer=first.customer)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _ in range(10):
        InteractionFactory(customer=first.customer)
        NotificationHistoryFactory(customer=first.customer)
        CustomerAnalysisFactory(customer=first.customer)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) <= len(small)
