"""Marketing consent (PECR): who may receive a marketing draft.

The rule, in full:
1. `Opted_In=No` → no marketing.
2. Any `Unsubscribe` (or Opt-out) interaction withdraws consent. The export has
   no opt-in timestamp, so `Opted_In=Yes` cannot be shown to post-date an
   Unsubscribe; a stale flag in a supplier's export must not override an
   explicit withdrawal. Consent comes back only with an explicit opt-in
   interaction (Subscribe / Opt-in / Resubscribe) dated *after* the latest
   Unsubscribe.
3. Otherwise → marketing allowed.

Service messages (billing help, payment difficulty, fixing a problem) need no
marketing consent and are never blocked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from notifications.profiles.schemas import CustomerProfile


@dataclass(frozen=True)
class Consent:
    marketing: bool
    reason: str


def marketing_consent(profile: CustomerProfile) -> Consent:
    if not profile.opted_in:
        return Consent(False, "Opted_In=No: the customer has not agreed to marketing")
    unsubscribed = profile.last_unsubscribe_at
    if unsubscribed is not None:
        opted_in = profile.last_opt_in_at
        if opted_in is None or opted_in <= unsubscribed:
            return Consent(
                False,
                f"Unsubscribe interaction on {unsubscribed:%Y-%m-%d} with no explicit opt-in after it",
            )
    return Consent(True, "Opted_In=Yes and no later Unsubscribe")
