"""The draft: autosave with optimistic locking and inline checks, revert, the send confirmation and send."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from notifications.delivery.send_rules import Stage, evaluate
from notifications.delivery.services.sending import SendRefused, send_notification
from notifications.queue.models import Notification
from notifications.queue.selectors.queue import get_card
from notifications.queue.services import claims as queue_service
from notifications.workspace.forms import DraftForm, VersionForm
from notifications.workspace.selectors import draft_checks
from notifications.workspace.views.common import card_response, workspace_view


@require_POST
@workspace_view()
def autosave(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the text as the agent types; answers with the meta line (version, counter, saved, warnings)."""
    n = get_object_or_404(Notification.objects.select_related("customer", "claimed_by", "edited_by"), pk=pk)
    form = DraftForm(request.POST)
    status, error, saved_at = 200, "", None
    if not form.is_valid():
        status, error = 422, "Not saved: the form was incomplete. Reload the card."
    else:
        try:
            n = queue_service.edit_draft(
                n,
                user=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                expected_version=form.cleaned_data["version"],
            )
            saved_at = timezone.localtime()
        except queue_service.QueueActionError as exc:
            status, error = exc.status_code, exc.message
    if not request.htmx:
        return card_response(request, pk, error=error, message="" if error else "Draft saved.")
    context = {"n": n, "saved_at": saved_at, "save_error": error, "warnings": draft_checks(n) if not error else []}
    # The typed text stays in the browser on a refusal; the meta line keeps the version the agent had.
    if error and form.is_valid():
        context["version"] = form.cleaned_data["version"]
    return render(request, "notifications/_draft_meta.html", context, status=status)


@require_POST
@workspace_view()
def revert(request: HttpRequest, pk: int) -> HttpResponse:
    form = VersionForm(request.POST)
    if not form.is_valid():
        return card_response(request, pk, error="Reload the card and try again.", status=422, changed=False)
    n = get_object_or_404(Notification.objects.select_related("claimed_by", "edited_by"), pk=pk)
    try:
        queue_service.revert_draft(n, user=request.user, expected_version=form.cleaned_data["version"])
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code, changed=False)
    return card_response(request, pk, message="Back to the original draft.", changed=False)


@require_POST
@workspace_view()
def confirm_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The agent confirms the draft still fits the customer's changed data."""
    n = get_object_or_404(Notification.objects.select_related("claimed_by"), pk=pk)
    try:
        queue_service.confirm_current_data(n, user=request.user, seen_hash=request.POST.get("data_hash", ""))
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code, changed=False)
    return card_response(request, pk, message="Draft confirmed against the customer's current data.", changed=False)


@require_GET
@workspace_view()
def send_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Exactly what will go, to whom and by which channel, with every check's outcome."""
    n = get_card(pk)
    check = evaluate(n, stage=Stage.CONFIRM, user=request.user)
    template = "notifications/_send_confirm.html" if request.htmx else "notifications/send_confirm_page.html"
    return render(request, template, {"n": n, "check": check})


@require_POST
@workspace_view()
def send(request: HttpRequest, pk: int) -> HttpResponse:
    form = VersionForm(request.POST)
    if not form.is_valid():
        return card_response(request, pk, error="Reload the card and try again.", status=422, changed=False)
    n = get_object_or_404(Notification, pk=pk)
    try:
        sent = send_notification(
            n,
            user=request.user,
            expected_version=form.cleaned_data["version"],
            acknowledged_style=form.cleaned_data["acknowledged_style"],
        )
    except SendRefused as exc:
        if not request.htmx:
            return card_response(request, pk, error=exc.message)
        return card_response(request, pk, status=422, changed=False, extra={"send_errors": exc.reasons})
    if sent.channel == "Phone":  # a call is started, never "sent": the card now shows the outcome form
        message = "Call started: ring the number above, then record how it went."
    else:
        message = f"Sent by {sent.channel}: the status below follows the delivery."
    response = card_response(request, pk, message=message)
    return response if request.htmx else redirect("notifications:queue")
