"""Offline drafts: the situation's template for the channel, filled only with profile facts."""

from __future__ import annotations

import datetime as dt

from notifications.analysis.analysts.offline.signals import (
    Signals,
    choose_situation,
    derive,
    first_name,
    local_date,
    long_date,
)
from notifications.analysis.analysts.offline.templates import DEFAULT_GREEN_TOPIC, GREEN_TOPICS, TEMPLATES
from notifications.common.sms import PUSH_MAX_CHARS, sms_size
from notifications.profiles.schemas import (
    OPT_OUT_LINES,
    SITUATION_KIND,
    CustomerProfile,
    DraftMessage,
    MessageKind,
    PriorityAnalysis,
)


class NothingToDraft(ValueError):
    """The analysis says not to contact this customer."""


def _event_date(situation: str, s: Signals, today: dt.date) -> dt.date:
    if situation == "billing_support" and s.billing_issue is not None:
        return local_date(s.billing_issue.occurred_at)
    if s.open_complaints:
        return local_date(s.open_complaints[0].occurred_at)
    return today


def draft(profile: CustomerProfile, analysis: PriorityAnalysis, today: dt.date) -> DraftMessage:
    if not analysis.should_contact:
        raise NothingToDraft(analysis.no_contact_reason)
    s = derive(profile, today)
    situation = analysis.situation
    if not situation:  # an analysis from elsewhere that did not name one: decide here
        chosen, reason = choose_situation(profile, s)
        if chosen is None:
            raise NothingToDraft(reason)
        situation = chosen.value
    kind = SITUATION_KIND[situation]
    key = situation
    if situation == "retention" and not s.open_complaints:
        key = "retention_checkin"
    channel = analysis.channel or profile.preferred_channel
    template = TEMPLATES[key]
    first = first_name(profile.name)
    topic = GREEN_TOPICS.get(s.green_interest.lower(), DEFAULT_GREEN_TOPIC) if s.green_interest else ""
    values = {
        "first": first,
        "full": profile.name,
        "hello": f"Hello {first}," if first else "Hello,",
        "hi": f"Hi {first}," if first else "Hi,",
        "date": long_date(_event_date(situation, s, today)),
        "since_year": str(profile.customer_since.year),
        "plan": profile.activity.subscription_type if profile.activity else "current",
        "green_topic": topic or DEFAULT_GREEN_TOPIC,
    }
    body = _render(template[channel], values, kind, channel)
    subject = template["subject"].format(**values).strip(", ") if channel == "Email" else ""
    subject = subject[:1].upper() + subject[1:]
    return DraftMessage(channel=channel, kind=kind, situation=situation, subject=subject, body=body)


def _render(text: str, values: dict[str, str], kind: MessageKind, channel: str) -> str:
    body = _with_opt_out(text.format(**values), kind, channel)
    if channel == "SMS" and ((size := sms_size(body)).encoding != "GSM-7" or size.units > size.limit):
        # A name outside the SMS alphabet (e.g. "Siobhán") would switch the whole text to UCS-2 and
        # halve the space; a very long one could overflow. Greet without it rather than mangle it.
        body = _with_opt_out(text.format(**{**values, "hello": "Hello,", "first": ""}), kind, channel)
    if channel == "App Push" and len(body) > PUSH_MAX_CHARS:
        body = _with_opt_out(text.format(**{**values, "hi": "Hi,"}), kind, channel)
    return body


def _with_opt_out(body: str, kind: MessageKind, channel: str) -> str:
    if kind != MessageKind.MARKETING:
        return body
    line = OPT_OUT_LINES[channel]
    if channel == "Phone":
        return f"{body}\n- Close with: {line}"
    if channel == "Email":
        return f"{body}\n\n{line}"
    return f"{body} {line}"
