"""The data contract: one spec per supplier file, the single set of rules.

Both the `import_datasets` command and the admin upload (customers/resources.py)
validate through these specs, so a rule changes in one place. Ranges and
choices mirror the CHECK constraints in customers/models.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import models as dj_models

from customers import models
from customers.importing import contact_parsers, parsers

CUSTOMER_ID = "Customer_ID"


@dataclass(frozen=True)
class ParseContext:
    """What a file's rules may consult besides the row itself; built once per file."""

    customers: Mapping[str, int]  # Customer_ID → pk (placeholders for a profiles file not yet stored)
    customer_start: Mapping[int, str] = field(default_factory=dict)  # pk → Customer_Since, 'YYYY-MM-DD'


# Data-quality rules: given the parsed values of a good row (spec column
# order), the (column, reason) pairs worth a warning, or None. Built once per
# file from the context, so a rule may remember what it has already reported.
RowWarnings = Callable[[Sequence[object]], list[tuple[str, str]] | None]
WarningRules = Callable[["FileSpec", ParseContext], RowWarnings]


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # model attribute; "customer" is the foreign key to Customer
    parse: parsers.Parser | None  # None: the Customer_ID foreign key, resolved per import


@dataclass(frozen=True)
class FileSpec:
    key: str  # CLI option name: profiles, activity, …
    filename: str
    model: type[dj_models.Model]
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]  # model fields, in the unique constraint's order
    warnings: WarningRules | None = None
    # The column whose newest value dates the data (the import's as-of time);
    # a value after the import started is reported as "in the future".
    time_field: str | None = None
    uses_start_dates: bool = False  # its warnings compare with the customers' Customer_Since
    optional: bool = False  # the import-all upload may leave this file out
    # Model fields written with a fixed value on every insert and update (not from the file).
    constants: tuple[tuple[str, object], ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    def db_column(self, field_name: str) -> str:
        return self.model._meta.get_field(field_name).column

    @property
    def db_columns(self) -> list[str]:
        return [self.db_column(c.field) for c in self.columns]

    @property
    def constant_columns(self) -> list[str]:
        return [self.db_column(name) for name, _ in self.constants]

    @property
    def key_indexes(self) -> tuple[int, ...]:
        fields = [c.field for c in self.columns]
        return tuple(fields.index(f) for f in self.natural_key)

    @property
    def has_customer_fk(self) -> bool:
        return any(c.parse is None for c in self.columns)

    def index(self, field_name: str) -> int:
        """Position of a model field among the parsed values."""
        return [c.field for c in self.columns].index(field_name)

    def row_warnings(self, context: ParseContext) -> RowWarnings | None:
        return self.warnings(self, context) if self.warnings else None


STATUS_NOT_SEEN = "a status not seen before: imported; an admin decides how the contact policy treats it"


def _activity_warnings(spec: FileSpec, context: ParseContext) -> RowWarnings:
    customer, status, login = spec.index("customer"), spec.index("account_status"), spec.index("last_login")
    seen = set(models.AccountStatus.values)  # each new status is reported once per file
    start = context.customer_start

    def check(values: Sequence[object]) -> list[tuple[str, str]] | None:
        found = None
        if values[status] not in seen:
            seen.add(values[status])
            found = [("Account_Status", STATUS_NOT_SEEN)]
        joined = start.get(values[customer])
        # Text comparison first (UTC time vs local date: cheap, rarely true),
        # then the exact instant of the local midnight they joined.
        if joined is not None and values[login] < joined and values[login] < parsers.london_midnight_utc(joined):
            found = found or []
            found.append(("Last_Login", f"before the customer's start date (Customer_Since {joined})"))
        return found

    return check


def _notification_warnings(spec: FileSpec, context: ParseContext) -> RowWarnings:
    opened, clicked, action = spec.index("opened"), spec.index("clicked"), spec.index("action_taken")
    delivery, response = spec.index("delivery_status"), spec.index("response_time_hours")
    delivered = models.DeliveryStatus.DELIVERED.value

    def check(values: Sequence[object]) -> list[tuple[str, str]] | None:
        found = None
        if values[clicked] and not values[opened]:
            # SMS and push have no "open" to record, and an email client that
            # blocks images records the click alone.
            found = [("Clicked", "clicked but not opened (normal for SMS, push and image-blocking email)")]
        engaged = values[opened] or values[clicked]
        if values[response] is not None and not engaged and not values[action]:
            found = found or []
            found.append(("Response_Time_Hours", "a response time, but no open, click or action"))
        if engaged and values[delivery] != delivered:
            found = found or []
            found.append(("Delivery_Status", f"{values[delivery]}, yet opened or clicked"))
        return found

    return check


def _contact_warnings(spec: FileSpec, context: ParseContext) -> RowWarnings:
    phone = spec.index("phone")
    reported: set[str] = set()  # the drama-range note once per file: demo and test exports are full of them

    def check(values: Sequence[object]) -> list[tuple[str, str]] | None:
        reason = contact_parsers.mobile_warnings(values[phone])
        if reason is None or reason in reported:
            return None
        if reason == contact_parsers.DRAMA_NUMBER:
            reported.add(reason)
        return [("Mobile", reason)]

    return check


def _text(model: type[dj_models.Model], name: str, *, required: bool = True) -> parsers.Parser:
    return parsers.text(model._meta.get_field(name).max_length, required=required)


C, A, IH, N, R, CC = (
    models.Customer,
    models.AccountActivity,
    models.Interaction,
    models.NotificationHistory,
    models.RecommendedAction,
    models.CustomerContact,
)

PROFILES = FileSpec(
    key="profiles",
    filename="Customer Profiles.csv",
    model=C,
    columns=(
        Column(CUSTOMER_ID, "customer_id", _text(C, "customer_id")),
        Column("Name", "name", _text(C, "name")),
        Column("Age", "age", parsers.integer(16, 120)),
        Column("Location", "location", _text(C, "location")),
        Column("Preferred_Channel", "preferred_channel", parsers.choice(models.Channel.values)),
        Column("Segment", "source_segment", _text(C, "source_segment")),
        Column("Opted_In", "opted_in", parsers.yes_no()),
        Column("Income_Bracket", "income_bracket", parsers.choice(models.IncomeBracket.values)),
        Column("Customer_Since", "customer_since", parsers.date()),
        Column("Satisfaction_Score", "satisfaction_score", parsers.integer(1, 10)),
    ),
    natural_key=("customer_id",),
    time_field="customer_since",
)

ACTIVITY = FileSpec(
    key="activity",
    filename="Account Activity Logs.csv",
    model=A,
    columns=(
        Column(CUSTOMER_ID, "customer", None),
        Column(
            "Account_Status",
            "account_status",
            parsers.known_or_verbatim(models.AccountStatus.values, A._meta.get_field("account_status").max_length),
        ),
        Column("Last_Transaction", "last_transaction", _text(A, "last_transaction", required=False)),
        Column("Last_Login", "last_login", parsers.london_datetime()),
        Column("Recent_Activity", "recent_activity", _text(A, "recent_activity", required=False)),
        Column("Engagement_Score", "engagement_score", parsers.integer(0, 100)),
        Column("Account_Tenure_Years", "account_tenure_years", parsers.decimal(5, 1, 0)),
        Column("Subscription_Type", "subscription_type", parsers.choice(models.SubscriptionType.values)),
        Column("Churn_Risk_Score", "churn_risk_score", parsers.decimal(5, 2, 0, 100)),
    ),
    natural_key=("customer", "last_login"),
    warnings=_activity_warnings,
    time_field="last_login",
    uses_start_dates=True,
)

INTERACTIONS = FileSpec(
    key="interactions",
    filename="Interaction History.csv",
    model=IH,
    columns=(
        Column(CUSTOMER_ID, "customer", None),
        Column("Channel", "channel", _text(IH, "channel")),
        Column("Date & Time", "occurred_at", parsers.london_datetime()),
        Column("Interaction_Type", "interaction_type", _text(IH, "interaction_type")),
        Column("Sentiment", "sentiment", parsers.choice(models.Sentiment.values)),
        Column("Summary", "summary", parsers.text(parsers.LONG_TEXT_MAX, required=False)),
        Column("Response_Time_Minutes", "response_time_minutes", parsers.integer(0, 2_147_483_647, required=False)),
        Column("Resolution_Status", "resolution_status", parsers.choice(models.ResolutionStatus.values)),
        Column("Agent_ID", "agent_id", _text(IH, "agent_id", required=False)),
    ),
    natural_key=("customer", "occurred_at", "channel", "interaction_type"),
    time_field="occurred_at",
)

NOTIFICATIONS = FileSpec(
    key="notifications",
    filename="Notification History.csv",
    model=N,
    columns=(
        Column("Notification_ID", "notification_id", _text(N, "notification_id")),
        Column(CUSTOMER_ID, "customer", None),
        Column("Channel", "channel", parsers.choice(models.Channel.values)),
        Column("Sent_Date", "sent_at", parsers.london_datetime(allow_bare_date=True)),
        Column("Notification_Type", "notification_type", _text(N, "notification_type")),
        Column("Opened", "opened", parsers.yes_no()),
        Column("Clicked", "clicked", parsers.yes_no()),
        Column("Action_Taken", "action_taken", _text(N, "action_taken", required=False)),
        Column("Delivery_Status", "delivery_status", parsers.choice(models.DeliveryStatus.values)),
        Column("Notification_Priority", "notification_priority", parsers.choice(models.Level.values)),
        Column("Response_Time_Hours", "response_time_hours", parsers.decimal(7, 2, 0, required=False)),
    ),
    natural_key=("notification_id",),
    warnings=_notification_warnings,
    time_field="sent_at",
)

ACTIONS = FileSpec(
    key="actions",
    filename="Recommended Actions.csv",
    model=R,
    columns=(
        Column(CUSTOMER_ID, "customer", None),
        Column("Scenario", "scenario", _text(R, "scenario")),
        Column("Recommended_Action", "recommended_action", _text(R, "recommended_action")),
        Column("Urgency_Level", "urgency_level", parsers.choice(models.Level.values)),
        Column("Follow_Up_Required", "follow_up_required", parsers.yes_no()),
        Column("Assigned_Team", "assigned_team", _text(R, "assigned_team")),
    ),
    natural_key=("customer", "scenario"),
)

CONTACTS = FileSpec(
    key="contacts",
    filename="Customer Contacts.csv",
    model=CC,
    columns=(
        Column(CUSTOMER_ID, "customer", None),
        Column("Email", "email", contact_parsers.email(CC._meta.get_field("email").max_length)),
        Column("Mobile", "phone", contact_parsers.mobile()),
        Column(
            "Push_Endpoint",
            "push_endpoint_arn",
            contact_parsers.push_endpoint(CC._meta.get_field("push_endpoint_arn").max_length),
        ),
    ),
    natural_key=("customer",),
    warnings=_contact_warnings,
    optional=True,
    # Details from the supplier are real (not the demo's placeholders), and a new or changed row clears
    # the bad-address marks a bounce left on the old details.
    constants=(
        ("is_placeholder", False),
        ("email_bad", False),
        ("phone_bad", False),
        ("push_bad", False),
        ("bad_reason", ""),
    ),  # fmt: skip
)

# Import order matters: every other file refers to a profile.
SPECS: tuple[FileSpec, ...] = (PROFILES, ACTIVITY, INTERACTIONS, NOTIFICATIONS, ACTIONS, CONTACTS)
SPECS_BY_KEY = {s.key: s for s in SPECS}
