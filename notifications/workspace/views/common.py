"""What every workspace view shares: access control and the "re-render this card" response."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from notifications.queue.models import ApprovalPolicy
from notifications.queue.selectors.queue import get_card

WORK_QUEUE = "queue.work_queue"
QUEUE_CHANGED = "queueChanged"  # the header stats listen for this after every action


def workspace_view(perm: str = WORK_QUEUE) -> Callable:
    """Login required (htmx requests are sent to the login page as a whole), then `perm` or 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.htmx:
                    # A partial swap of the login page into a card would be confusing.
                    login = resolve_url(settings.LOGIN_URL)
                    return HttpResponseClientRedirect(f"{login}?next={request.htmx.current_url_abs_path or '/'}")
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def card_response(
    request: HttpRequest,
    pk: int,
    *,
    message: str = "",
    error: str = "",
    status: int = 200,
    changed: bool = True,
    extra: dict | None = None,
) -> HttpResponse:
    """The re-rendered card for htmx, or a redirect to the card's page (with the message) without JS."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif message:
            messages.success(request, message)
        return redirect("notifications:card", pk=pk)
    context = {
        "n": get_card(pk),
        "message": message,
        "error": error,
        "approval_policy": ApprovalPolicy.load(),
        "with_line": True,  # the row's summary line, out of band: claim state, delivery, approval
        **(extra or {}),
    }
    response = render(request, "notifications/_card.html", context, status=status)
    if changed:
        trigger_client_event(response, QUEUE_CHANGED)
    return response
