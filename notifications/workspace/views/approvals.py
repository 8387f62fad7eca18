"""Approvals in the flow: an agent asks from the card; a supervisor reads, edits, approves or sends back."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from notifications.profiles.selectors import load_profiles
from notifications.queue.models import ApprovalPolicy, Notification
from notifications.queue.selectors.approval import approval_needed, pending_approvals
from notifications.queue.services import approvals as service
from notifications.queue.services.claims import QueueActionError, display_name
from notifications.workspace.forms import DecisionForm
from notifications.workspace.selectors import awaiting_approval, draft_checks
from notifications.workspace.views.common import QUEUE_CHANGED, card_response, workspace_view

APPROVE = "queue.approve_notification"
ITEM = "notifications/approvals/_item.html"
PAGE = 20  # the oldest requests; each is a full draft to read, and deciding them brings up the next


@require_POST
@workspace_view()
def request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(Notification, pk=pk)
    try:
        service.request_approval(n, user=request.user)
    except QueueActionError as exc:
        return card_response(request, pk, error=exc.message, status=exc.status_code, changed=False)
    # The card's approval panel says it; the message is for the page without JavaScript.
    message = "" if request.htmx else "Approval requested: a supervisor will approve it or send it back."
    return card_response(request, pk, message=message)


@require_GET
@workspace_view(APPROVE)
def approvals_page(request: HttpRequest) -> HttpResponse:
    policy = ApprovalPolicy.load()
    # Each draft with the checks on its text: the supervisor sees what would block it before approving.
    pending = pending_approvals(PAGE)
    profiles = load_profiles(n.customer_id for n in pending)
    items = [(n, approval_needed(n, policy), draft_checks(n, profiles.get(n.customer_id))) for n in pending]
    total = awaiting_approval() if len(items) == PAGE else len(items)
    return render(request, "notifications/approvals/page.html", {"items": items, "policy": policy, "total": total})


def _item(request: HttpRequest, n: Notification, status: int, **outcome: object) -> HttpResponse:
    """One draft on the list. `outcome`: `error`, or `done` (the decision in words), and `posted` (the
    supervisor's text, kept when the decision was refused)."""
    done = outcome.get("done")
    context = {"n": n, "why": approval_needed(n), **outcome}
    if not done:
        context["warnings"] = draft_checks(n)
    response = render(request, ITEM, context, status=status)
    if done:
        trigger_client_event(response, QUEUE_CHANGED)  # the pending count in the header
    return response


@require_POST
@workspace_view(APPROVE)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: the supervisor's edits (if any) saved, then approved or sent back with the note."""
    form = DecisionForm(request.POST)
    n = get_object_or_404(Notification.objects.select_related("customer", "approval_by", "claimed_by"), pk=pk)
    error, status, done, posted = "", 200, "", None
    # Who gets the decision: whoever asked, else whoever holds the draft.
    agent = n.approval_by if n.approval_state == service.State.REQUESTED else n.claimed_by
    requester = display_name(agent) if agent else "the agent"
    if not form.is_valid():
        error, status = "Choose Approve or Send back (reload the list if this keeps happening).", 422
    else:
        data = form.cleaned_data
        edited = "body" in request.POST  # the list always posts the text; a bare decision leaves it as it is
        try:
            n = service.decide(
                n,
                user=request.user,
                decision=data["decision"],
                expected_version=data["version"],
                subject=data["subject"] if edited else None,
                body=data["body"] if edited else None,
                note=data["note"],
            )
        except QueueActionError as exc:
            error, status = exc.message, exc.status_code
            n.refresh_from_db()
            # Refused for its text (not because the agent saved meanwhile): nothing was saved, so the supervisor
            # gets back the text they wrote, to correct it further.
            if edited and exc.status_code == 422:
                posted = {"subject": data["subject"], "body": data["body"], "note": data["note"]}
        else:
            if data["decision"] == service.APPROVE:
                done = f"Approved version {n.version}: {capfirst(requester)} can send it now."
            else:
                done = f"Sent back to {requester} with your note."
    if not request.htmx:
        if error:
            messages.error(request, f"{n.customer.name}: {error}")
        else:
            messages.success(request, f"{n.customer.name}: {done}")
        return redirect("notifications:approvals")
    return _item(request, n, status, error=error, done=done, posted=posted)
