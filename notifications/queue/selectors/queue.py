"""Reads for the agent workspace: the queue page, one card, and the card's sections.

Every read here runs a fixed number of queries whatever the page size, so the
queue page costs the same at 5 cards as at 50 (asserted in the view tests).
The queue sorts and filters on the `Notification` table alone (its fields are
denormalised from the analysis for exactly this), using the composite
`queue_order` index; only a name search reaches into the customer table.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone

from customers.models import Customer
from notifications.analysis.models import ContactDecision, CustomerAnalysis
from notifications.queue.models import PRIORITY_RANK, Delivery, Notification

CLAIM_TTL = dt.timedelta(minutes=30)
PAGE_SIZE = 50
# Customer IDs look like "CUST000123": a query of this shape is an ID lookup
# (an indexed equality) rather than a name search (a scan).
_CUSTOMER_ID_RE = re.compile(r"^[A-Za-z]{2,8}-?\d{2,}$")

Status = Notification.Status


def claim_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Claims taken before this moment have expired."""
    return (now or timezone.now()) - CLAIM_TTL


WORKABLE_STATUSES = Notification.WORKABLE_STATUSES  # held: quiet hours; agents prepare it, the send waits
SEARCH_CAP = 1000  # a search reads its matching ids once (count and page from one scan), up to this many


def claim_active(n: Notification, now: dt.datetime | None = None) -> bool:
    """Whether someone holds an unexpired claim on the item (claims lapse after CLAIM_TTL)."""
    return bool(n.claimed_by_id and n.claimed_at and n.claimed_at >= claim_cutoff(now))


def waiting_q() -> Q:
    """Drafts an agent can work now. Snoozes that are due are woken into "waiting" by
    `wake_due_snoozes` (every minute from beat) rather than OR-ed in here: an OR costs the
    index-ordered scan (7.6 ms instead of 0.02 ms for a page at 25k drafts)."""
    return Q(status__in=WORKABLE_STATUSES)


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, as parsed (and validated) from the query string."""

    priority: str = ""
    urgency: str = ""
    channel: str = ""
    kind: str = ""
    fallback: bool = False
    status: str = "waiting"
    q: str = ""
    page: int = 1


@dataclass
class QueuePage:
    filters: QueueFilters
    items: list[Notification]
    total: int
    page: int
    pages: int
    capped: bool = False  # a search matched more than SEARCH_CAP drafts
    start: int = 0
    end: int = 0
    not_queued: dict[str, Any] | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _status_filter(qs: QuerySet[Notification], status: str, user, now: dt.datetime) -> QuerySet[Notification]:
    if status == "mine":
        return qs.filter(status__in=Notification.OPEN_STATUSES, claimed_by=user, claimed_at__gte=claim_cutoff(now))
    if status == "sent":  # what went out, including what then failed (the card says so)
        return qs.filter(status__in=(Status.SENT, Status.FAILED)).order_by("-sent_at", "-id")
    if status == "dismissed":
        return qs.filter(status=Status.DISMISSED).order_by("-dismissed_at", "-id")
    if status == "calls":  # calls started and not yet recorded: the outcome form waits on each
        return qs.filter(status=Status.SENT, delivery__status=Delivery.Status.CALL_TASK).order_by("-sent_at", "-id")
    if status == "snoozed":
        return qs.filter(status=Status.SNOOZED, snoozed_until__gt=now).order_by("snoozed_until", "id")
    return qs.filter(waiting_q())


def search_q(text: str) -> Q:
    text = text.strip()
    if _CUSTOMER_ID_RE.match(text):
        # IDs are stored upper-case: an exact match uses the unique index (iexact would scan on SQLite).
        return Q(customer__customer_id=text.upper())
    # A subquery, not a join: the database scans the customers' names once (a covering index) and then
    # looks the few matches up in the queue, instead of reading a customer for every queued draft
    # (SQLite at 25k drafts: 17 ms instead of 80).
    return Q(customer_id__in=Customer.objects.filter(name__icontains=text).values("pk"))


def queue_queryset(filters: QueueFilters, user, now: dt.datetime | None = None) -> QuerySet[Notification]:
    now = now or timezone.now()
    qs = _status_filter(Notification.objects.all(), filters.status, user, now)
    exact = {
        # the rank, not the label: it leads the queue's indexes, so a priority view reads them in order
        "priority_rank": PRIORITY_RANK.get(filters.priority, "") if filters.priority else "",
        "urgency": filters.urgency,
        "channel": filters.channel,
        "kind": filters.kind,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value != ""})
    if filters.fallback:
        # `__in`: Django writes is_fallback=True as a bare column, which SQLite cannot seek in `queue_by_fallback`
        qs = qs.filter(is_fallback__in=[True])
    if filters.q:
        qs = qs.filter(search_q(filters.q))
    return qs


def with_card_relations(qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """Everything an open card shows, in the same single query (the analysis JSON stays behind, but for
    the one-line reason): its colleagues, its delivery, its approval and the number to call."""
    return with_reason(
        qs.select_related(
            "customer",
            "customer__contact",
            "claimed_by",
            "sent_by",
            "edited_by",
            "dismissed_by",
            "approval_by",
            "approval",
            "analysis",
            "delivery",
            "delivery__called_by",
        ).defer("analysis__detail", "analysis__segment_reasons")
    )


def with_reason(qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """`reason`: the analyst's contact reason, read out of the analysis JSON by the database (one line)."""
    return qs.annotate(reason=KeyTextTransform("contact_reason", "analysis__detail"))


# What a collapsed queue row shows: the text of the draft, the analysis and the colleagues' other
# fields stay in the database until the row is opened.
ROW_FIELDS = (
    "customer__name", "customer__customer_id", "status", "priority", "risk_score", "urgency", "channel", "kind",
    "is_fallback", "version", "held_until", "snoozed_until", "sent_at", "dismiss_reason", "claimed_at",
    "claimed_by__username", "claimed_by__first_name", "claimed_by__last_name", "approval_state",
    "delivery__status", "delivery__held_until", "delivery__attempts", "delivery__call_outcome",
    "delivery__call_follow_up", "delivery__last_error", "delivery__notification_id",
)  # fmt: skip


def with_row_relations(qs: QuerySet[Notification]) -> QuerySet[Notification]:
    """A queue row in one query: the item, its customer's name, its claimant and its delivery."""
    return with_reason(qs.select_related("customer", "claimed_by", "delivery").only(*ROW_FIELDS))


def queue_page(filters: QueueFilters, user, now: dt.datetime | None = None) -> QueuePage:
    """One page of the queue in three narrow queries, whatever the page size.

    1. How many match: a COUNT on the notification table alone (the status-led
       indexes serve it), or, for a search, the ordered matching ids read once
       (count and page from the same scan; a name search scans the join, so once).
    2. Which 50: the ids of the page, ordered by the `queue_order` index.
    3. The rows: those 50 items with their customer, claimant and delivery (`with_row_relations`).
    Ordering and limiting on the narrow id query keeps the joins off the sort.
    """
    now = now or timezone.now()
    qs = queue_queryset(filters, user, now)
    ids = qs.values_list("id", flat=True)
    capped = False
    if filters.q:
        matching = list(ids[: SEARCH_CAP + 1])
        capped = len(matching) > SEARCH_CAP
        matching = matching[:SEARCH_CAP]
        total = len(matching)
    else:
        total = qs.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    offset = (page - 1) * PAGE_SIZE
    if not total:
        page_ids: list[int] = []
    elif filters.q:
        page_ids = matching[offset : offset + PAGE_SIZE]
    else:
        page_ids = list(ids[offset : offset + PAGE_SIZE])
    position = {pk: i for i, pk in enumerate(page_ids)}
    items = sorted(
        with_row_relations(Notification.objects.filter(pk__in=page_ids)) if page_ids else [],
        key=lambda n: position[n.pk],
    )
    result = QueuePage(
        filters=filters,
        items=items,
        total=total,
        page=page,
        pages=pages,
        start=offset + 1,
        end=offset + len(items),
        capped=capped,
    )
    if not total and filters.q and _CUSTOMER_ID_RE.match(filters.q.strip()):
        result.not_queued = why_not_queued(filters.q.strip())
    return result


def get_card(pk: int) -> Notification:
    return with_card_relations(Notification.objects.all()).get(pk=pk)


def why_not_queued(customer_id: str) -> dict[str, Any] | None:
    """For an ID search with no queue item: the customer's latest analysis and contact decision.

    This is how an agent learns why someone is not in the queue (not a Value
    Seeker, a policy said no, the analyst advised against contact, or already sent).
    """
    customer = Customer.objects.filter(customer_id=customer_id.upper()).first()
    if customer is None:
        return {"customer": None, "customer_id": customer_id}
    analysis = CustomerAnalysis.objects.filter(customer=customer).order_by("-created_at").first()
    decision = ContactDecision.objects.filter(customer=customer).order_by("-decided_at").first()
    return {"customer": customer, "analysis": analysis, "decision": decision}


# --- the card's lazy sections ------------------------------------------------------


@dataclass
class WhyContext:
    detail: dict[str, Any]
    analysis: CustomerAnalysis | None
    decision: ContactDecision | None
    score_total: float = 0.0
    breakdown: list[dict[str, Any]] = field(default_factory=list)


def analysis_detail(notification: Notification) -> tuple[CustomerAnalysis | None, dict[str, Any]]:
    """The item's analysis and its detail JSON: one query, kept on the item for the next section.

    A card from `get_card` has its analysis loaded with `detail` deferred, so the card page's
    sections read the deferred JSON once between them instead of re-reading the analysis each.
    """
    analysis = notification.analysis
    return analysis, (analysis.detail if analysis and isinstance(analysis.detail, dict) else {})


def why_context(notification: Notification) -> WhyContext:
    """The "why this customer, why now" panel: two queries (analysis, contact decision)."""
    analysis, detail = analysis_detail(notification)
    decisions = ContactDecision.objects.filter(customer_id=notification.customer_id)
    # The decision of the job that drafted this item; else the newest one on record.
    decision = None
    if notification.job_id is not None:
        decision = decisions.filter(job_id=notification.job_id).first()
    decision = decision or decisions.order_by("-decided_at").first()
    breakdown = [c for c in detail.get("score_breakdown", []) if isinstance(c, dict)]
    total = sum(float(c.get("points", 0) or 0) for c in breakdown)
    top = max((abs(float(c.get("points", 0) or 0)) for c in breakdown), default=0.0)
    for component in breakdown:
        points = float(component.get("points", 0) or 0)
        component["share"] = round(10 * abs(points) / top) if top else 0  # 0–10: a bar width class
    return WhyContext(detail=detail, analysis=analysis, decision=decision, score_total=total, breakdown=breakdown)
