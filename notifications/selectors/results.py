"""The results page's numbers: the funnel by dimension, response times, and how much agents edit drafts.

Engagement counts human activity only (machine-suspected opens and clicks are
left out, Mautic #7884/#9798), and each stage counts a notification once.
Everything is read with `values_list` in a fixed number of queries and folded
in Python; the window (default 12 weeks) bounds the work.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from notifications.models import Delivery, Notification, NotificationEvent

STAGES = ("sent", "delivered", "opened", "clicked", "actioned")
DIMENSIONS = {
    "priority": "Priority",
    "kind": "Message kind",
    "channel": "Channel",
    "segment": "Segment",
    "week": "Week",
}
RESPONSE_BUCKETS = (
    ("under 1 hour", 1),
    ("1–6 hours", 6),
    ("6–24 hours", 24),
    ("1–3 days", 72),
    ("over 3 days", None),
)
EDIT_SAMPLE = 2000  # the most recent sent drafts the edit-distance figures read


@dataclass
class FunnelGroup:
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def rate(self, stage: str) -> float:
        sent = self.counts["sent"]
        return self.counts[stage] / sent if sent else 0.0


@dataclass
class EditStats:
    sent: int = 0
    unedited: int = 0
    edited: int = 0
    mean_word_edits: float = 0.0
    by_provider: dict[str, tuple[int, int]] = field(default_factory=dict)  # provider → (unedited, edited)

    @property
    def unedited_share(self) -> float:
        return self.unedited / self.sent if self.sent else 0.0


@dataclass
class Results:
    since: dt.datetime
    total: FunnelGroup
    by: dict[str, list[FunnelGroup]]
    response_times: list[tuple[str, int]]
    no_response: int
    edits: EditStats


def word_edits(before: str, after: str) -> int:
    """Words inserted, deleted or replaced to turn `before` into `after` (difflib on word lists)."""
    a, b = before.split(), after.split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


ORDER = {"priority": ("High", "Medium", "Low"), "kind": ("Service", "Marketing")}


def _sort_key(dimension: str, label: str) -> tuple[int, str]:
    order = ORDER.get(dimension, ())
    return (order.index(label) if label in order else len(order), label)


def _week(when: dt.datetime) -> str:
    year, week, _ = timezone.localtime(when).isocalendar()
    return f"{year}-W{week:02d}"


def results(*, weeks: int = 12, now: dt.datetime | None = None) -> Results:
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    rows = list(
        Delivery.objects.filter(sent_at__gte=since).values_list(
            "notification_id",
            "notification__priority",
            "notification__kind",
            "channel",
            "notification__analysis__segment",
            "sent_at",
            "delivered_at",
        )
    )
    pks = [r[0] for r in rows]
    first_human: dict[int, dt.datetime] = {}
    stages_of: dict[int, set[str]] = defaultdict(set)
    engagement = (
        NotificationEvent.objects.filter(
            notification_id__in=pks, kind__in=("opened", "clicked", "actioned"), machine_suspected=False
        )
        .order_by("occurred_at")
        .values_list("notification_id", "kind", "occurred_at")
    )
    for pk, kind, at in engagement.iterator():
        stages_of[pk].add(kind)
        first_human.setdefault(pk, at)
    total = FunnelGroup("All")
    groups: dict[str, dict[str, FunnelGroup]] = {d: {} for d in DIMENSIONS}
    buckets: Counter[str] = Counter()
    no_response = 0
    for pk, priority, kind, channel, segment, sent_at, delivered_at in rows:
        reached = set(stages_of.get(pk, ()))
        if reached & {"clicked", "actioned"}:
            reached.add("opened")  # a click or an action means the message was read
        stages = {"sent"} | ({"delivered"} if delivered_at else set()) | reached
        keys = {
            "priority": priority,
            "kind": (kind or "").title(),
            "channel": channel,
            "segment": segment or "Not analysed",
            "week": _week(sent_at),
        }
        for group in (total, *(groups[d].setdefault(v, FunnelGroup(v)) for d, v in keys.items())):
            for stage in stages:
                group.counts[stage] += 1
        if pk in first_human:
            hours = (first_human[pk] - (delivered_at or sent_at)).total_seconds() / 3600
            buckets[next(label for label, limit in RESPONSE_BUCKETS if limit is None or hours < limit)] += 1
        else:
            no_response += 1
    by = {d: sorted(g.values(), key=lambda grp, d=d: _sort_key(d, grp.label)) for d, g in groups.items()}
    return Results(
        since=since,
        total=total,
        by=by,
        response_times=[(label, buckets[label]) for label, _ in RESPONSE_BUCKETS],
        no_response=no_response,
        edits=edit_stats(since),
    )


def edit_stats(since: dt.datetime) -> EditStats:
    stats = EditStats()
    sent = (
        Notification.objects.filter(status=Notification.Status.SENT, sent_at__gte=since)
        .order_by("-sent_at")
        .values_list("original_subject", "original_body", "subject", "body", "analysis__provider")[:EDIT_SAMPLE]
    )
    distances = []
    per_provider: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o_subject, o_body, subject, body, provider in sent:
        stats.sent += 1
        edited = (o_subject, o_body) != (subject, body)
        per_provider[provider or "unknown"][1 if edited else 0] += 1
        if edited:
            stats.edited += 1
            distances.append(word_edits(f"{o_subject} {o_body}", f"{subject} {body}"))
        else:
            stats.unedited += 1
    stats.mean_word_edits = sum(distances) / len(distances) if distances else 0.0
    stats.by_provider = {p: (u, e) for p, (u, e) in sorted(per_provider.items())}
    return stats
