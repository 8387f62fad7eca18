"""A customer's marketing consent now: the source export, later interactions, and our own ledger.

Order of precedence (newest evidence wins, withdrawal wins a tie):
1. The analysts' rule on the imported data (Opted_In, then any later Unsubscribe
   interaction with no explicit opt-in after it): notifications/profiles/consent.py.
2. The ConsentChange ledger (unsubscribe link, one-click, agent): its latest entry
   for the channel (or for every channel) overrides the import, unless an
   Unsubscribe interaction was imported *after* a ledger opt-in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from notifications.contact_rules.models import ConsentChange
from notifications.profiles.consent import marketing_consent
from notifications.profiles.schemas import CustomerProfile
from notifications.profiles.selectors import load_profile


@dataclass(frozen=True)
class ConsentState:
    marketing: bool
    reason: str
    since: dt.datetime | None = None
    source: str = "import"


def latest_consent_change(customer_pk: int, channel: str | None = None) -> ConsentChange | None:
    scope = Q(channel="") | Q(channel=channel) if channel else Q()
    return ConsentChange.objects.filter(scope, customer_id=customer_pk).order_by("-occurred_at", "-pk").first()


def current_marketing_consent(
    customer_pk: int, channel: str | None = None, *, profile: CustomerProfile | None = None
) -> ConsentState:
    """`profile`: pass it when the caller has loaded it already (the send checks), to read it once."""
    profile = profile or load_profile(customer_pk)
    if profile is None:
        return ConsentState(False, "the customer's record could not be read")
    imported = marketing_consent(profile)
    latest = latest_consent_change(customer_pk, channel)
    if latest is None:
        return ConsentState(imported.marketing, imported.reason)
    when = timezone.localtime(latest.occurred_at)
    label = latest.get_source_display()
    if not latest.marketing_consent:
        return ConsentState(
            False, f"marketing consent withdrawn ({label}) on {when:%d %b %Y at %H:%M}", when, latest.source
        )
    unsubscribed = profile.last_unsubscribe_at
    if unsubscribed is not None and unsubscribed > latest.occurred_at:
        return ConsentState(False, f"Unsubscribe interaction on {unsubscribed:%Y-%m-%d} after the last opt-in")
    return ConsentState(True, f"marketing consent given ({label}) on {when:%d %b %Y}", when, latest.source)
