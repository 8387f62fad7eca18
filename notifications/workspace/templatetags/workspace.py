"""Presentation helpers for the workspace templates (labels that never rely on colour alone)."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from notifications.common.sms import PUSH_MAX_CHARS, sms_size
from notifications.delivery.contacts import phone_to_call
from notifications.delivery.send_rules import policy_label
from notifications.queue.models import ApprovalPolicy
from notifications.queue.selectors.approval import approval_needed
from notifications.queue.selectors.queue import CLAIM_TTL, QueueFilters, claim_active
from notifications.queue.services.claims import display_name
from notifications.workspace.forms import filters_querystring
from notifications.workspace.rows import approval_badge, delivery_of, row_stamp, row_state

register = template.Library()

_RISK_BANDS = ((3, "low"), (6, "medium"), (8, "high"), (10, "very-high"))


@register.filter
def risk_level(score: int | None) -> str:
    """A CSS-safe band name for the risk score (1–3 low, 4–6 medium, 7–8 high, 9–10 very high)."""
    if not score:
        return "none"
    return next(name for top, name in _RISK_BANDS if score <= top)


@register.filter
def risk_label(score: int | None) -> str:
    return "no score" if not score else f"{risk_level(score).replace('-', ' ')} risk"


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
        "url": f"{_card_url_prefix()}{pk}/",
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
    return context


@register.simple_tag
def row_context(notification, user, policy: ApprovalPolicy | None = None) -> dict:
    """Per queue row: its pk and URL, its state in words, its approval badge and its live stamp."""
    n = notification
    pk = str(n.pk)
    return {
        "pk": pk,
        "url": f"{_card_url_prefix()}{pk}/",
        "state": row_state(n, user),
        "approval": approval_badge(n, policy) if policy is not None else None,
        "stamp": row_stamp(n, user),
    }


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


def _card_url_prefix() -> str:
    """The routed prefix of card URLs, "/cards/" (one reverse per card instead of thirteen)."""
    return reverse("notifications:card", args=[0]).removesuffix("0/")


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


def _risk_bar_html(score: int) -> str:
    segments = "".join(f'<span class="risk__seg{" is-on" if i < score else ""}"></span>' for i in range(10))
    return f'<span class="risk__bar" aria-hidden="true">{segments}</span>'


_RISK_BARS = {score: _risk_bar_html(score) for score in range(0, 11)}


@register.simple_tag
def risk_bar(score: int | None) -> str:
    """Ten segments, `score` of them lit: fixed markup from an integer (no data reaches the HTML)."""
    return mark_safe(_RISK_BARS.get(int(score or 0), _RISK_BARS[0]))  # noqa: S308 - static markup only
