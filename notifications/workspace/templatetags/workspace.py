"""Presentation helpers for the workspace templates (labels that never rely on colour alone)."""

from __future__ import annotations

import re

from django import template
from django.utils import timezone

from notifications.common.sms import PUSH_MAX_CHARS, sms_size
from notifications.delivery.contacts import phone_to_call
from notifications.delivery.send_rules import policy_label
from notifications.delivery.services.delivery import may_record_call
from notifications.jobs.selectors import JobHealth
from notifications.jobs.selectors import job_health as read_job_health
from notifications.queue.models import ApprovalPolicy
from notifications.queue.selectors.approval import approval_needed
from notifications.queue.selectors.queue import CLAIM_TTL, QueueFilters, claim_active
from notifications.queue.services.claims import display_name
from notifications.workspace import row_html
from notifications.workspace.forms import filters_querystring
from notifications.workspace.row_html import risk_label, risk_level
from notifications.workspace.rows import delivery_of

register = template.Library()

register.filter("risk_level", risk_level)
register.filter("risk_label", risk_label)


@register.filter
def fraction_percent(value: float | None) -> str:
    """A 0–1 fraction as a whole percentage: 0.86 → "86%"."""
    return "–" if value is None else f"{100 * float(value):.0f}%"


@register.simple_tag
def filter_query(filters: QueueFilters, **overrides) -> str:
    return filters_querystring(filters, **overrides)


SECTIONS = (
    ("why", "Why this customer, why now"),
    ("approach", "How to approach them"),
    ("c360", "Customer 360"),
)


@register.simple_tag
def card_context(notification, user, policy: ApprovalPolicy | None = None) -> dict:
    """Per card, once: its pk and URL as strings, who holds it until when (claims lapse after 30 minutes),
    why it needs approval, its delivery and, for a call, the number and the script as steps."""
    n = notification
    active = claim_active(n)
    pk = str(n.pk)
    context = {
        "pk": pk,
        "url": f"{row_html.card_url_prefix()}{pk}/",
        "sections": SECTIONS,
        "active": active,
        "mine": active and n.claimed_by_id == user.pk,
        "holder": n.claimed_by if active else None,
        "expires": timezone.localtime(n.claimed_at + CLAIM_TTL) if active else None,
        "approval": approval_needed(n, policy) if policy is not None and n.is_open else "",
        "delivery": delivery_of(n),
    }
    context["may_send"] = context["mine"] and (not context["approval"] or n.approval_state == "approved")
    if n.channel == "Phone":
        context["phone"], context["phone_placeholder"], context["phone_bad"] = phone_to_call(n.customer)
        context["script"] = script_steps(n.body)
        context["may_record"] = may_record_call(n, user)  # who may say how a started call went
    return context


@register.simple_tag(takes_context=True)
def row_line(context, notification, policy: ApprovalPolicy, *, oob: bool = False, expanded: bool = False) -> str:
    """A queue row's line (notifications/workspace/row_html.py), e.g. out of band after an action."""
    return row_html.row_line(notification, context["request"].user, policy, oob=oob, expanded=expanded)


@register.simple_tag(takes_context=True)
def queue_rows(context, items, policy: ApprovalPolicy) -> str:
    return row_html.queue_rows(items, context["request"].user, policy)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'(])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def script_steps(text: str) -> dict:
    """A call script as a title and steps to tick: one step per bulleted line (the analysts write
    "- Ask to speak to …"); a script written as prose is cut at its sentence ends instead."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = ""
    if lines and not _BULLET.match(lines[0]) and any(_BULLET.match(line) for line in lines[1:]):
        title = lines.pop(0)
    steps = []
    for line in lines:
        if _BULLET.match(line) or len(lines) > 1:
            steps.append(_BULLET.sub("", line))
        else:
            steps.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return {"title": title, "steps": steps}


@register.simple_tag
def draft_size(channel: str, subject: str, body: str) -> dict:
    """The counter the server renders (the browser's live count mirrors this logic)."""
    size = sms_size(body)
    info = {"chars": len(body), "channel": channel, "over": False, "text": f"{len(body)} characters"}
    if channel == "SMS":
        info["over"] = size.units > size.limit
        info["text"] = (
            f"{size.units} {'characters' if size.encoding == 'GSM-7' else 'UCS-2 units'} · "
            f"{size.segments} SMS segment{'s' if size.segments != 1 else ''} ({size.encoding}; limit {size.limit})"
        )
    elif channel == "App Push":
        info["over"] = len(body) > PUSH_MAX_CHARS
        info["text"] = f"{len(body)} / {PUSH_MAX_CHARS} characters"
    elif channel == "Email":
        info["text"] = f"{len(body)} characters · subject {len(subject)}"
    return info


register.filter("who", display_name)  # a colleague's name: full name, else username, else "someone"


@register.filter
def policy_name(rule: str) -> str:
    return policy_label(str(rule))


@register.simple_tag
def job_health(job) -> JobHealth:
    """Is the running job moving: waiting for a worker, stalled, recovering (the panel says so)."""
    return read_job_health(job)
