"""Contact policies: who may be contacted, on which channel, and when.

The policies are `ContactPolicy` rows (data, editable in the admin); this
module turns them into a verdict per customer with a readable reason for every
policy, so an agent can see why someone is not in the queue.

Verdict semantics (shared by the pipeline and the send-time check):
- `allowed`: the customer may be contacted *now* on that channel (any kind).
  Quiet hours make it False and set `held_until`; that is a delay, not a
  refusal (`may_draft` stays True).
- `marketing_allowed`: a marketing message is allowed too. Consent and the
  marketing frequency cap only ever restrict marketing; service messages
  (billing help, payment difficulty) do not need marketing consent.

Everything is evaluated in bulk: profiles come from `load_profiles` (five
queries per batch) plus one query for the messages we sent from the queue and
one for the policy rows, whatever the number of customers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from customers.models import DeliveryStatus
from notifications.contact_rules.models import (
    PARAMETER_SCHEMAS,
    AccountStatusParams,
    ContactPolicy,
    CoolDownParams,
    FrequencyCapParams,
    QuietHoursParams,
)
from notifications.profiles.consent import marketing_consent
from notifications.profiles.schemas import CustomerProfile, MessageKind
from notifications.profiles.selectors import load_profile, load_profiles
from notifications.queue.lifecycle import HISTORY_PREFIX
from notifications.queue.models import Delivery, Notification

BLOCK = "block"  # a failure stops all contact
MARKETING = "marketing"  # a failure stops marketing only
HOLD = "hold"  # a failure delays contact (quiet hours)


@dataclass(frozen=True)
class PolicyResult:
    policy: str
    passed: bool
    reason: str
    effect: str = BLOCK  # what a failure means: block | marketing | hold

    def as_dict(self) -> dict:
        return {"policy": self.policy, "passed": self.passed, "reason": self.reason, "effect": self.effect}


@dataclass(frozen=True)
class PolicyVerdict:
    allowed: bool
    marketing_allowed: bool
    held_until: dt.datetime | None
    results: list[PolicyResult] = field(default_factory=list)

    @property
    def may_draft(self) -> bool:
        """Contactable, perhaps later: only a hold (quiet hours) stands in the way, if anything."""
        return all(r.passed or r.effect != BLOCK for r in self.results)

    @property
    def failed(self) -> list[PolicyResult]:
        return [r for r in self.results if not r.passed]


@dataclass(frozen=True)
class _SentRecord:
    channel: str
    sent_at: dt.datetime
    marketing: bool


def active_policies() -> dict[str, object]:
    """Validated parameters of every enabled policy, keyed by rule.

    A rule with no row at all is applied with its defaults: deleting a row by
    mistake must not silently switch off consent or the frequency cap; to turn a
    policy off, untick `enabled`.
    """
    rows = {p.rule: p for p in ContactPolicy.objects.all()}
    policies: dict[str, object] = {}
    for rule, schema in PARAMETER_SCHEMAS.items():
        row = rows.get(rule)
        if row is None:
            policies[rule] = schema()
        elif row.enabled:
            policies[rule] = row.params()
    return policies


def evaluate_policies(customer_pks: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, PolicyVerdict]:
    """Verdicts for the customers' preferred channels (unknown customers are left out)."""
    return evaluate_profiles(load_profiles(customer_pks), now=now)


def check_send_allowed(
    notification: Notification, *, now: dt.datetime | None = None, profile: CustomerProfile | None = None
) -> PolicyVerdict:
    """The send-time check for one queue item, on the item's own channel.

    The item itself is not counted against the caps (it has not been sent). `profile`: pass it
    when the caller has loaded it already, to read it once.
    """
    profile = profile or load_profile(notification.customer_id)
    if profile is None:
        reason = "The customer no longer exists"
        return PolicyVerdict(False, False, None, [PolicyResult("customer", False, reason)])
    return evaluate_profiles(
        {notification.customer_id: profile},
        now=now,
        channels={notification.customer_id: notification.channel},
        exclude_pk=notification.pk,
    )[notification.customer_id]


def evaluate_profiles(
    profiles: Mapping[int, CustomerProfile],
    *,
    now: dt.datetime | None = None,
    channels: Mapping[int, str] | None = None,
    policies: Mapping[str, object] | None = None,
    exclude_pk: int | None = None,
) -> dict[int, PolicyVerdict]:
    """Verdicts for already-loaded profiles (the pipeline's path: two queries in all)."""
    now = now or timezone.now()
    policies = active_policies() if policies is None else policies
    channels = channels or {}
    sent = _sent_from_queue(list(profiles), now, policies, exclude_pk)
    verdicts = {}
    for pk, profile in profiles.items():
        channel = channels.get(pk) or profile.preferred_channel
        verdicts[pk] = _verdict(profile, channel, now, policies, sent.get(pk, []))
    return verdicts


def _verdict(
    profile: CustomerProfile, channel: str, now: dt.datetime, policies: Mapping[str, object], sent: list[_SentRecord]
) -> PolicyVerdict:
    results: list[PolicyResult] = []
    held_until = None
    if "consent" in policies:
        consent = marketing_consent(profile)
        results.append(PolicyResult("consent", consent.marketing, consent.reason, MARKETING))
    if "account_status" in policies:
        results.append(_account_status(profile, policies["account_status"]))
    if "frequency_cap" in policies:
        results.extend(_frequency_cap(profile, channel, now, policies["frequency_cap"], sent))
    if "cool_down" in policies:
        results.append(_cool_down(profile, now, policies["cool_down"]))
    if "quiet_hours" in policies:
        result, held_until = _quiet_hours(channel, now, policies["quiet_hours"])
        results.append(result)
    allowed = all(r.passed or r.effect == MARKETING for r in results)
    marketing_allowed = all(r.passed or r.effect == HOLD for r in results)
    return PolicyVerdict(allowed, marketing_allowed, held_until, results)


def _account_status(profile: CustomerProfile, params: AccountStatusParams) -> PolicyResult:
    if profile.activity is None:
        return PolicyResult("account_status", False, "No account activity on record, so the account status is unknown")
    status = profile.activity.account_status
    allowed = ", ".join(params.allowed_statuses)
    if status in params.allowed_statuses:
        return PolicyResult("account_status", True, f"Account status is {status}")
    return PolicyResult(
        "account_status", False, f"Account status is {status}: only {allowed} accounts may be contacted"
    )


def _is_marketing_type(notification_type: str, params: FrequencyCapParams) -> bool:
    lowered = notification_type.lower()
    return any(word.lower() in lowered for word in params.marketing_keywords)


def _frequency_cap(
    profile: CustomerProfile, channel: str, now: dt.datetime, params: FrequencyCapParams, sent: list[_SentRecord]
) -> list[PolicyResult]:
    # The source system's history (delivered messages only: a bounce never reached them) plus ours.
    # Our own messages also appear in the history as "SNE-<pk>" (the delivery results loop); they are
    # counted once, from the queue (`sent`), so their history rows are skipped here.
    records = [
        _SentRecord(n.channel, n.sent_at, _is_marketing_type(n.notification_type, params))
        for n in profile.notifications
        if n.delivery_status == DeliveryStatus.DELIVERED and not n.notification_id.startswith(HISTORY_PREFIX)
    ]
    records.extend(sent)
    marketing_since = now - dt.timedelta(days=params.marketing_window_days)
    channel_since = now - dt.timedelta(days=params.channel_window_days)
    marketing = sum(1 for r in records if r.marketing and marketing_since <= r.sent_at <= now)
    on_channel = sum(1 for r in records if r.channel == channel and channel_since <= r.sent_at <= now)
    m_days, c_days = params.marketing_window_days, params.channel_window_days
    return [
        PolicyResult(
            "frequency_cap",
            marketing < params.marketing_max,
            f"{_plural(marketing, 'marketing message')} in the last {m_days} days (cap {params.marketing_max})",
            MARKETING,
        ),
        PolicyResult(
            "frequency_cap",
            on_channel < params.per_channel_max,
            f"{_plural(on_channel, f'{channel} message')} in the last {c_days} days "
            f"(cap {params.per_channel_max} per channel)",
        ),
    ]


def _cool_down(profile: CustomerProfile, now: dt.datetime, params: CoolDownParams) -> PolicyResult:
    # Newest first; only delivered messages could have been opened or ignored.
    delivered = [n for n in profile.notifications if n.delivery_status == DeliveryStatus.DELIVERED]
    recent = delivered[: params.ignored_in_a_row]
    if len(recent) == params.ignored_in_a_row and not any(n.opened for n in recent):
        until = recent[0].sent_at + dt.timedelta(days=params.days)
        if until > now:
            return PolicyResult(
                "cool_down",
                False,
                f"{params.ignored_in_a_row} notifications in a row not opened, the last on "
                f"{timezone.localtime(recent[0].sent_at):%Y-%m-%d}: paused until {timezone.localtime(until):%Y-%m-%d}",
            )
    return PolicyResult(
        "cool_down", True, f"Fewer than {params.ignored_in_a_row} recent notifications in a row went unopened"
    )


def _quiet_hours(channel: str, now: dt.datetime, params: QuietHoursParams) -> tuple[PolicyResult, dt.datetime | None]:
    window = f"{params.start:%H:%M}–{params.end:%H:%M}"
    if channel not in params.channels:
        return PolicyResult("quiet_hours", True, f"Quiet hours do not apply to {channel}", HOLD), None
    local = now.astimezone(ZoneInfo(params.timezone))
    t = local.time()
    spans_midnight = params.start > params.end  # the usual case: 21:00–08:00
    inside = (t >= params.start or t < params.end) if spans_midnight else (params.start <= t < params.end)
    if not inside:
        return PolicyResult("quiet_hours", True, f"Outside quiet hours for {channel} ({window})", HOLD), None
    end_day = local.date() if t < params.end else local.date() + dt.timedelta(days=1)
    held_until = dt.datetime.combine(end_day, params.end, tzinfo=ZoneInfo(params.timezone))
    return PolicyResult("quiet_hours", False, f"Quiet hours for {channel} until {params.end:%H:%M}", HOLD), held_until


def quiet_hours_until(channel: str, now: dt.datetime, policies: Mapping[str, object]) -> dt.datetime | None:
    """When a message on `channel` may go if it is quiet hours now (None: it may go now).

    The pipeline evaluates a customer on their preferred channel; a draft on another channel (a call
    for a High priority case) is held, or not, by its own channel.
    """
    params = policies.get("quiet_hours")
    if not isinstance(params, QuietHoursParams):
        return None
    return _quiet_hours(channel, now, params)[1]


def _sent_from_queue(
    pks: list[int], now: dt.datetime, policies: Mapping[str, object], exclude_pk: int | None
) -> dict[int, list[_SentRecord]]:
    """Messages sent from our queue inside the longest cap window: one query."""
    params = policies.get("frequency_cap")
    if not pks or not isinstance(params, FrequencyCapParams):
        return {}
    since = now - dt.timedelta(days=max(params.marketing_window_days, params.channel_window_days))
    sent_or_failed = (Notification.Status.SENT, Notification.Status.FAILED)
    rows = Notification.objects.filter(customer_id__in=pks, status__in=sent_or_failed, sent_at__gte=since)
    # A message that never reached the customer (refused at send, bounced, failed) is not contact, so it
    # does not use up the cap. Everything else counts: on its way (queued, held, sending), reached (sent,
    # delivered, called) or a call still to make; and a failure swept as "outcome unknown", because the
    # provider may have delivered it. Same query: the delivery is a LEFT JOIN, so items sent before the
    # delivery layer (no Delivery row) still count.
    rows = rows.exclude(
        Q(delivery__status__in=(Delivery.Status.BOUNCED, Delivery.Status.SUPPRESSED))
        | (Q(delivery__status=Delivery.Status.FAILED) & ~Q(delivery__last_error__startswith=Delivery.OUTCOME_UNKNOWN))
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    sent: dict[int, list[_SentRecord]] = defaultdict(list)
    for customer_id, channel, kind, sent_at in rows.values_list("customer_id", "channel", "kind", "sent_at"):
        sent[customer_id].append(_SentRecord(channel, sent_at, kind == MessageKind.MARKETING))
    return sent


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
