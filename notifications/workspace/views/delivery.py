"""Agent actions on a delivery: retry a failed send, record a phone call's outcome (thin: services decide)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from notifications.delivery.services.delivery import DeliveryActionError, record_call_outcome, retry_delivery
from notifications.queue.models import Delivery
from notifications.workspace.forms import CallOutcomeForm
from notifications.workspace.views.common import card_response, workspace_view


@require_POST
@workspace_view()
def retry(request: HttpRequest, pk: int) -> HttpResponse:

    delivery = get_object_or_404(Delivery, notification_id=pk)
    try:
        retry_delivery(delivery, user=request.user)
    except DeliveryActionError as exc:
        return card_response(request, pk, error=exc.message, status=409, changed=False)
    return card_response(request, pk, message="Sending again: the status below updates when it has gone.")


@require_POST
@workspace_view()
def call_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, notification_id=pk)
    form = CallOutcomeForm(request.POST)
    if not form.is_valid():
        error = "Choose how the call went" + (" and a valid follow-up date" if "follow_up" in form.errors else "") + "."
        return card_response(request, pk, error=error, status=422, changed=False)
    data = form.cleaned_data
    try:
        record_call_outcome(
            delivery, outcome=data["outcome"], note=data["note"], follow_up=data["follow_up"], user=request.user
        )
    except DeliveryActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code, changed=False)
    # The card says what happened; the message is for the page without JavaScript.
    return card_response(request, pk, message="" if request.htmx else "Call recorded.")
