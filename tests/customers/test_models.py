"""The CHECK constraints hold whatever path a value takes (save, update, bulk_create)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from customers import models
from tests.factories import (
    AccountActivityFactory,
    CustomerFactory,
    InteractionFactory,
    NotificationHistoryFactory,
    RecommendedActionFactory,
)

pytestmark = pytest.mark.django_db

BAD_VALUES = [
    (CustomerFactory, "age", 15),
    (CustomerFactory, "age", 121),
    (CustomerFactory, "satisfaction_score", 0),
    (CustomerFactory, "satisfaction_score", 11),
    (CustomerFactory, "preferred_channel", "Fax"),
    (CustomerFactory, "income_bracket", "Rich"),
    (CustomerFactory, "customer_id", ""),
    (AccountActivityFactory, "engagement_score", 101),
    (AccountActivityFactory, "churn_risk_score", Decimal("100.01")),
    (AccountActivityFactory, "churn_risk_score", Decimal("-1")),
    (AccountActivityFactory, "account_tenure_years", Decimal("-0.5")),
    (AccountActivityFactory, "subscription_type", "Gold"),
    (AccountActivityFactory, "account_status", ""),
    (InteractionFactory, "sentiment", "Angry"),
    (InteractionFactory, "resolution_status", "Closed"),
    (InteractionFactory, "interaction_type", ""),
    (NotificationHistoryFactory, "channel", "Fax"),
    (NotificationHistoryFactory, "delivery_status", "Lost"),
    (NotificationHistoryFactory, "notification_priority", "Urgent"),
    (NotificationHistoryFactory, "response_time_hours", Decimal("-1")),
    (NotificationHistoryFactory, "notification_id", ""),
    (RecommendedActionFactory, "urgency_level", "Critical"),
    (RecommendedActionFactory, "scenario", ""),
]
IDS = [f"{f._meta.model.__name__}.{field}={value!r}" for f, field, value in BAD_VALUES]


@pytest.mark.parametrize(("factory", "field", "value"), BAD_VALUES, ids=IDS)
def test_save_rejects_out_of_range(factory, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**{field: value})


@pytest.mark.parametrize(("factory", "field", "value"), BAD_VALUES, ids=IDS)
def test_queryset_update_rejects_out_of_range(factory, field, value):
    obj = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.filter(pk=obj.pk).update(**{field: value})


@pytest.mark.parametrize(("factory", "field", "value"), BAD_VALUES, ids=IDS)
def test_bulk_create_rejects_out_of_range(factory, field, value):
    obj = factory.build(**{field: value})
    if hasattr(obj, "customer"):
        obj.customer = CustomerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(obj).objects.bulk_create([obj])


def test_a_click_without_an_open_is_stored():
    # Odd, not impossible: SMS and push record no "open", nor does email that blocks images.
    sms = NotificationHistoryFactory(channel=models.Channel.SMS, opened=False, clicked=True)
    assert models.NotificationHistory.objects.filter(pk=sms.pk, opened=False, clicked=True).exists()


@pytest.mark.parametrize(
    ("factory", "model"),
    [
        (AccountActivityFactory, models.AccountActivity),
        (InteractionFactory, models.Interaction),
        (RecommendedActionFactory, models.RecommendedAction),
    ],
)
def test_natural_keys_are_unique(factory, model):
    first = factory()
    clone = model.objects.filter(pk=first.pk).values().get()
    clone.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**clone)


def test_notification_id_and_customer_id_are_unique():
    n = NotificationHistoryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationHistoryFactory(notification_id=n.notification_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(customer_id=n.customer.customer_id)


def test_valid_rows_save():
    a = AccountActivityFactory(engagement_score=0, churn_risk_score=Decimal("100"))
    assert a.pk and CustomerFactory(age=16, satisfaction_score=10).pk
