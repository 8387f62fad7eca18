"""One card: its page (readable without JavaScript), lazy sections, claim, release, dismiss, snooze."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications.delivery.send_rules import Stage, evaluate
from notifications.profiles.selectors import load_profile
from notifications.queue.models import ApprovalPolicy, Notification
from notifications.queue.selectors.queue import analysis_detail, get_card, why_context
from notifications.queue.services import claims as queue_service
from notifications.workspace.forms import DismissForm, SnoozeForm
from notifications.workspace.views.common import card_response, workspace_view

SECTIONS = {
    "why": "notifications/sections/_why.html",
    "approach": "notifications/sections/_approach.html",
    "c360": "notifications/sections/_c360.html",
}


def section_context(n: Notification, name: str) -> dict:
    """The data one section shows; each reads a fixed number of rows, only when opened."""
    if name == "why":
        # The policies now, for this message's own channel (a call is not held by SMS quiet hours).
        checks = evaluate(n, stage=Stage.DELIVER) if n.is_open else None
        return {"why": why_context(n), "send_checks": checks}
    if name == "approach":
        analysis, detail = analysis_detail(n)
        return {"detail": detail, "analysis": analysis}
    profile = load_profile(n.customer_id)
    return {"profile": profile}


@require_GET
@workspace_view()
def card_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The card alone: the partial for htmx, or a page with every section open for everyone else."""
    try:
        n = get_card(pk)
    except Notification.DoesNotExist as exc:
        raise Http404("No such queue item") from exc
    policy = ApprovalPolicy.load()
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "notifications/_card.html", {"n": n, "approval_policy": policy})
    sections = {name: section_context(n, name) for name in SECTIONS}
    return render(request, "notifications/card_page.html", {"n": n, "sections": sections, "approval_policy": policy})


@require_GET
@workspace_view()
def section(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    if name not in SECTIONS:
        raise Http404("No such section")
    # The analysis in the same query: "why" and "approach" read it (c360 reads the customer by id).
    n = get_object_or_404(Notification.objects.select_related("analysis"), pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('notifications:card', args=[pk])}#{name}")
    return render(request, SECTIONS[name], {"n": n, **section_context(n, name)})


def _locked_item(pk: int) -> Notification:
    return get_object_or_404(Notification.objects.select_related("claimed_by", "edited_by"), pk=pk)


@require_POST
@workspace_view()
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        queue_service.claim(_locked_item(pk), user=request.user)
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code)
    # The card's claim line says it all; the message is for the page without JavaScript.
    message = "" if request.htmx else "Claimed: yours to edit for 30 minutes."
    return card_response(request, pk, message=message, extra={"just_claimed": True})


@require_POST
@workspace_view()
def release(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        queue_service.release(_locked_item(pk), user=request.user)
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code)
    return card_response(request, pk, message="Released: anyone can pick this customer up now.")


def action_form(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """GET on dismiss/snooze: the form, loaded when its button is first opened (the card page has it inline)."""
    if not request.htmx:
        return redirect(f"{reverse('notifications:card', args=[pk])}#{action}")
    n = get_object_or_404(Notification, pk=pk)
    return render(request, "notifications/_action_form.html", {"n": n, "action": action})


@require_http_methods(["GET", "POST"])
@workspace_view()
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return action_form(request, pk, "dismiss")
    form = DismissForm(request.POST)
    if not form.is_valid():
        return card_response(request, pk, error="Choose a reason for dismissing.", status=422, changed=False)
    try:
        n = queue_service.dismiss(_locked_item(pk), user=request.user, **form.cleaned_data)
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code)
    return card_response(request, pk, message=f"Dismissed: {n.get_dismiss_reason_display().lower()}.")


@require_http_methods(["GET", "POST"])
@workspace_view()
def snooze(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        return action_form(request, pk, "snooze")
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        return card_response(request, pk, error="Choose a reason and how long to snooze.", status=422, changed=False)
    try:
        queue_service.snooze(_locked_item(pk), user=request.user, **form.cleaned_data)
    except queue_service.QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code)
    return card_response(request, pk, message="Snoozed: the card comes back to the queue when the time is up.")
