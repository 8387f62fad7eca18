"""The send rules: every check a message must pass, in one place, for the message's own channel.

The confirm panel (what the agent sees before pressing Send), the send action and the delivery
worker (the moment the message goes, on fresh data) all call `evaluate`. Each stage runs the rules
that can change by then:

- CONFIRM and SEND: the draft's state, the agent's claim and version, what can never be delivered
  (an empty body, a line break in a subject, a message over its channel's hard limit), the draft
  checks (hard ones block; soft ones, style, need an acknowledgement that goes on the trail),
  the supervisor approval, marketing consent and the contact policies.
- DELIVER: consent and the contact policies again (a STOP or an opt-out may have arrived since),
  and the channel limit. The text, the claim and the approval cannot change after the send.

A refusal is a `Refusal` code with one wording; quiet hours are not a refusal but a hold, shown as
"Will be held until 08:00". Checks that do not apply to a message (marketing consent on a service
message, quiet hours on a call) are left out, not shown as failures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils import timezone

from notifications.contact_rules.models import ContactPolicy
from notifications.contact_rules.selectors import current_marketing_consent
from notifications.contact_rules.services.policies import BLOCK, HOLD, MARKETING, check_send_allowed
from notifications.content.checks import BLOCKING_KINDS, check_draft, issue_text, undeliverable
from notifications.delivery import contacts
from notifications.profiles.schemas import CustomerProfile, MessageKind
from notifications.profiles.selectors import load_profile
from notifications.profiles.snapshot import changed_since, customer_data_hash
from notifications.queue.models import Notification
from notifications.queue.selectors.approval import approval_state
from notifications.queue.services.claims import display_name, holds_claim


class Stage(StrEnum):
    CONFIRM = "confirm"  # the panel before Send: everything, read-only
    SEND = "send"  # the agent presses Send: everything, on the locked row
    DELIVER = "deliver"  # the worker, right before the provider call


class Refusal(StrEnum):
    """Why a message may not go. Each code has exactly one wording (WORDING)."""

    ALREADY_SENT = "already_sent"
    NOT_OPEN = "not_open"
    NOT_CLAIMED = "not_claimed"
    VERSION_CHANGED = "version_changed"
    UNDELIVERABLE = "undeliverable"
    DRAFT_PROBLEM = "draft_problem"
    STYLE_NOT_ACKNOWLEDGED = "style_not_acknowledged"
    APPROVAL_NEEDED = "approval_needed"
    APPROVAL_STALE = "approval_stale"
    NO_MARKETING_CONSENT = "no_marketing_consent"
    POLICY_BLOCKS = "policy_blocks"
    POLICY_BLOCKS_MARKETING = "policy_blocks_marketing"
    CUSTOMER_GONE = "customer_gone"
    NO_REAL_ADDRESS = "no_real_address"
    DATA_CHANGED = "data_changed"


WORDING = {
    Refusal.ALREADY_SENT: "Already sent on {when} by {who}.",
    Refusal.NOT_OPEN: "This draft is {status} and cannot be sent.",
    Refusal.NOT_CLAIMED: "Claim this customer before sending (your claim may have expired after 30 minutes).",
    Refusal.VERSION_CHANGED: "The draft changed since you opened the confirmation ({who} saved version {version}). "
    "Review it and confirm again.",
    Refusal.UNDELIVERABLE: "{detail}",
    Refusal.DRAFT_PROBLEM: "Fix the draft first: {detail}",
    Refusal.STYLE_NOT_ACKNOWLEDGED: "Confirm you have read the style warnings: {detail}",
    Refusal.APPROVAL_NEEDED: "{needed} drafts need a supervisor's approval before sending.",
    Refusal.APPROVAL_STALE: "The draft changed after it was approved: a supervisor must approve this version.",
    Refusal.NO_MARKETING_CONSENT: "Marketing message refused: {reason}. Only a service message may be sent.",
    Refusal.POLICY_BLOCKS: "Contact policy “{policy}”: {reason}",
    Refusal.POLICY_BLOCKS_MARKETING: "Marketing not allowed by “{policy}”: {reason}",
    Refusal.CUSTOMER_GONE: "The customer no longer exists.",
    Refusal.NO_REAL_ADDRESS: "{detail}",
    Refusal.DATA_CHANGED: "Customer data changed since this draft ({detail}). Check the text still fits, "
    "then confirm it, or dismiss it and re-run the analysis.",
}

# Reported by the draft checks too, but decided elsewhere here: `undeliverable` and `_consent`.
DECIDED_ELSEWHERE = frozenset({"empty", "length", "consent"})


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    HOLD = "hold"  # not a refusal: the message waits (quiet hours)
    WARN = "warn"  # style: sendable once acknowledged


@dataclass(frozen=True)
class Check:
    """One line of the confirm panel."""

    name: str
    outcome: Outcome
    message: str = ""
    code: Refusal | None = None


@dataclass
class SendRules:
    checks: list[Check] = field(default_factory=list)
    held_until: dt.datetime | None = None
    data_changes: list[str] = field(default_factory=list)  # what changed in the customer's data since the draft
    data_hash: str = ""  # with data_changes: the data they were read from, for the agent's confirmation

    def refuse(self, name: str, code: Refusal, **values: object) -> None:
        self.checks.append(Check(name, Outcome.FAIL, WORDING[code].format(**values), code))

    def passed(self, name: str, message: str = "") -> None:
        self.checks.append(Check(name, Outcome.PASS, message))

    @property
    def refusals(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == Outcome.FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == Outcome.WARN]

    @property
    def reasons(self) -> list[str]:
        return [c.message for c in self.refusals]

    @property
    def codes(self) -> list[str]:
        return [str(c.code) for c in self.refusals]

    @property
    def ok(self) -> bool:
        """No refusal (warnings still need the agent's acknowledgement: see `refuse_unacknowledged`)."""
        return not self.refusals

    def refuse_unacknowledged(self) -> None:
        if self.warnings:
            detail = " ".join(c.message for c in self.warnings)
            self.refuse("Style", Refusal.STYLE_NOT_ACKNOWLEDGED, detail=detail)


def policy_label(rule: str) -> str:
    """The policy's name as supervisors see it in admin ("frequency_cap" → "Frequency cap")."""
    try:
        return str(ContactPolicy.Rule(rule).label)
    except ValueError:
        return rule.replace("_", " ").capitalize()


def evaluate(
    n: Notification,
    *,
    stage: Stage,
    user=None,  # noqa: ANN001 - the agent, for CONFIRM and SEND
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> SendRules:
    """Every rule for `stage`, for the message's own channel; never raises."""
    now = now or timezone.now()
    rules = SendRules()
    if stage != Stage.DELIVER and not _state(rules, n, user, expected_version, now):
        return rules
    problem = undeliverable(n.subject, n.body, n.channel)
    if problem:
        rules.refuse("Channel", Refusal.UNDELIVERABLE, detail=problem)
    profile = load_profile(n.customer_id)  # read once for the draft checks, consent and the policies
    if profile is None:
        rules.refuse("Customer", Refusal.CUSTOMER_GONE)
        return rules
    if stage != Stage.DELIVER:
        # At delivery the worker checks the address itself (it fails the delivery, countably).
        if missing := contacts.no_real_address(n.customer, n.channel):
            rules.refuse("Address", Refusal.NO_REAL_ADDRESS, detail=missing)
        _data_unchanged(rules, n, profile)
        _draft_checks(rules, n, profile)
        _approval(rules, n)
    _consent(rules, n, profile)
    _policies(rules, n, profile, now)
    return rules


def _state(rules: SendRules, n: Notification, user, expected_version: int | None, now: dt.datetime) -> bool:  # noqa: ANN001
    """The draft can be sent by this agent at all; False stops the evaluation (nothing else matters)."""
    if n.status == Notification.Status.SENT:
        when = timezone.localtime(n.sent_at)
        rules.refuse("Draft", Refusal.ALREADY_SENT, when=f"{when:%d %b at %H:%M}", who=display_name(n.sent_by))
        return False
    if not n.is_open:
        rules.refuse("Draft", Refusal.NOT_OPEN, status=n.get_status_display().lower())
        return False
    if user is None or not holds_claim(n, user, now):
        rules.refuse("Claim", Refusal.NOT_CLAIMED)
    if expected_version is not None and n.version != expected_version:
        rules.refuse("Draft", Refusal.VERSION_CHANGED, who=display_name(n.edited_by), version=n.version)
    return True


def _data_unchanged(rules: SendRules, n: Notification, profile: CustomerProfile) -> None:
    """A draft written from data an import has since changed is not sent until the agent confirms it."""
    rules.data_changes = changed_since(n.data_hash, n.data_snapshot, profile)
    if rules.data_changes:
        rules.data_hash = customer_data_hash(profile)
        rules.refuse("Customer data", Refusal.DATA_CHANGED, detail="; ".join(rules.data_changes))


def _draft_checks(rules: SendRules, n: Notification, profile: CustomerProfile) -> None:
    issues = [i for i in check_draft(profile, n.subject, n.body, n.channel, n.kind) if i.kind not in DECIDED_ELSEWHERE]
    # Hard problems (content/checks.py: BLOCKING_KINDS) block until fixed; the rest is style, to acknowledge.
    for issue in issues:
        if issue.kind in BLOCKING_KINDS:
            rules.refuse("Draft check", Refusal.DRAFT_PROBLEM, detail=issue_text(issue))
    for issue in issues:
        if issue.kind not in BLOCKING_KINDS:
            rules.checks.append(Check("Style", Outcome.WARN, issue_text(issue)))
    if not issues:
        rules.passed("Draft checks", "Grounded in the customer's data, British English, within the channel's length.")


def _approval(rules: SendRules, n: Notification) -> None:
    needed, approved_version = approval_state(n)
    if not needed:
        return
    if approved_version is None:
        rules.refuse("Approval", Refusal.APPROVAL_NEEDED, needed=needed.capitalize())
    elif approved_version != n.version:
        rules.refuse("Approval", Refusal.APPROVAL_STALE)
    else:
        rules.passed("Approval", f"Approved by a supervisor (version {approved_version}).")


def _consent(rules: SendRules, n: Notification, profile: CustomerProfile) -> None:
    if n.kind != MessageKind.MARKETING:
        return  # service messages need no marketing consent: not a check that applies
    # PECR consent is law, not a tunable policy: checked even if the consent policy is switched off,
    # on the analysts' rule over fresh data plus the consent ledger.
    consent = current_marketing_consent(n.customer_id, n.channel, profile=profile)
    if consent.marketing:
        rules.passed("Marketing consent", consent.reason)
    else:
        rules.refuse("Marketing consent", Refusal.NO_MARKETING_CONSENT, reason=consent.reason)


def _policies(rules: SendRules, n: Notification, profile: CustomerProfile, now: dt.datetime) -> None:
    verdict = check_send_allowed(n, now=now, profile=profile)
    marketing = n.kind == MessageKind.MARKETING
    for r in verdict.results:
        name = policy_label(r.policy)
        if r.policy == "consent" or (r.effect == MARKETING and not marketing):
            continue  # consent is decided above; a marketing-only rule does not apply to a service message
        if r.passed:
            rules.passed(name, r.reason)
        elif r.effect == HOLD:
            if verdict.held_until and verdict.held_until > now:
                rules.held_until = verdict.held_until
                when = timezone.localtime(verdict.held_until)
                rules.checks.append(Check(name, Outcome.HOLD, f"Will be held until {when:%H:%M on %d %b}: {r.reason}."))
        elif r.effect == BLOCK:
            rules.refuse(name, Refusal.POLICY_BLOCKS, policy=name, reason=r.reason)
        else:
            rules.refuse(name, Refusal.POLICY_BLOCKS_MARKETING, policy=name, reason=r.reason)
