"""The five supplier datasets.

Every range and choice in the data contract is also a database CHECK
constraint, so no path (import, admin, shell, raw SQL) can store an
out-of-range value. Constraints encode only the impossible: what is merely
odd (a click without an open, an unfamiliar account status) is stored, and
the importer reports it as a warning. `source_hash` is a digest of the source row's values: the
importer uses it to tell unchanged rows from changed ones, so re-importing the
same export writes nothing.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


def _in(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


def _between(field: str, low: int, high: int) -> Q:
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


class Channel(models.TextChoices):
    EMAIL = "Email"
    SMS = "SMS", "SMS"  # without a label Django would title-case the name: "Sms"
    APP_PUSH = "App Push"
    PHONE = "Phone"


class IncomeBracket(models.TextChoices):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"


class SubscriptionType(models.TextChoices):
    BASIC = "Basic"
    PREMIUM = "Premium"
    GREEN = "Green"


class Sentiment(models.TextChoices):
    POSITIVE = "Positive"
    NEUTRAL = "Neutral"
    NEGATIVE = "Negative"


class ResolutionStatus(models.TextChoices):
    RESOLVED = "Resolved"
    PENDING = "Pending"
    ESCALATED = "Escalated"


class DeliveryStatus(models.TextChoices):
    DELIVERED = "Delivered"
    FAILED = "Failed"
    BOUNCED = "Bounced"


class AccountStatus(models.TextChoices):
    """The account statuses suppliers export. Not a database choice: a status
    the system has not seen before is stored as written and reported."""

    ACTIVE = "Active"
    AT_RISK = "At Risk"
    DORMANT = "Dormant"
    SUSPENDED = "Suspended"
    CLOSED = "Closed"


class Level(models.TextChoices):
    """High/Medium/Low, used for urgency and notification priority."""

    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


class Customer(models.Model):
    customer_id = models.CharField("Customer ID", max_length=32, unique=True)
    name = models.CharField(max_length=200)
    age = models.PositiveSmallIntegerField()
    location = models.CharField(max_length=120)
    preferred_channel = models.CharField(max_length=16, choices=Channel.choices)
    source_segment = models.CharField(
        max_length=60, help_text="The source system's own segment label (not our analysis segment)."
    )
    opted_in = models.BooleanField(help_text="Marketing consent as exported by the source system.")
    income_bracket = models.CharField(max_length=8, choices=IncomeBracket.choices)
    customer_since = models.DateField()
    satisfaction_score = models.PositiveSmallIntegerField(help_text="1 (very unhappy) to 10.")
    source_hash = models.CharField(max_length=32, editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["customer_id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["preferred_channel"]),
            models.Index(fields=["opted_in"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(customer_id=""), name="customer_id_not_empty"),
            models.CheckConstraint(condition=_between("age", 16, 120), name="customer_age_range"),
            models.CheckConstraint(condition=_in("preferred_channel", Channel), name="customer_channel_valid"),
            models.CheckConstraint(condition=_in("income_bracket", IncomeBracket), name="customer_income_valid"),
            models.CheckConstraint(condition=_between("satisfaction_score", 1, 10), name="customer_satisfaction_range"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer_id})"


class AccountActivity(models.Model):
    """One snapshot of a customer's account; the newest `last_login` is current."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="activities")
    account_status = models.CharField(max_length=40)
    last_transaction = models.CharField(max_length=80, blank=True)
    last_login = models.DateTimeField()
    recent_activity = models.CharField(max_length=255, blank=True)
    engagement_score = models.PositiveSmallIntegerField(help_text="0–100")
    account_tenure_years = models.DecimalField(max_digits=5, decimal_places=1)
    subscription_type = models.CharField(max_length=8, choices=SubscriptionType.choices)
    churn_risk_score = models.DecimalField(max_digits=5, decimal_places=2, help_text="0–100 (%)")
    source_hash = models.CharField(max_length=32, editable=False, default="")

    class Meta:
        verbose_name_plural = "account activity"
        ordering = ["customer", "-last_login"]
        indexes = [
            models.Index(fields=["customer", "-last_login"]),
            models.Index(fields=["churn_risk_score"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["customer", "last_login"], name="activity_natural_key"),
            models.CheckConstraint(condition=~Q(account_status=""), name="activity_status_not_empty"),
            models.CheckConstraint(condition=_between("engagement_score", 0, 100), name="activity_engagement_range"),
            models.CheckConstraint(condition=_between("churn_risk_score", 0, 100), name="activity_churn_range"),
            models.CheckConstraint(condition=Q(account_tenure_years__gte=0), name="activity_tenure_non_negative"),
            models.CheckConstraint(
                condition=_in("subscription_type", SubscriptionType), name="activity_subscription_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} activity {self.last_login:%Y-%m-%d %H:%M}"


class Interaction(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=40)
    occurred_at = models.DateTimeField("date & time")
    interaction_type = models.CharField(max_length=40, help_text="Query, Complaint, Feedback, Unsubscribe, …")
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    summary = models.TextField(blank=True)
    response_time_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_status = models.CharField(max_length=10, choices=ResolutionStatus.choices)
    agent_id = models.CharField(max_length=32, blank=True)
    source_hash = models.CharField(max_length=32, editable=False, default="")

    class Meta:
        ordering = ["customer", "-occurred_at"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["interaction_type", "occurred_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "occurred_at", "channel", "interaction_type"], name="interaction_natural_key"
            ),
            models.CheckConstraint(condition=~Q(interaction_type=""), name="interaction_type_not_empty"),
            models.CheckConstraint(condition=_in("sentiment", Sentiment), name="interaction_sentiment_valid"),
            models.CheckConstraint(
                condition=_in("resolution_status", ResolutionStatus), name="interaction_resolution_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.interaction_type} {self.occurred_at:%Y-%m-%d %H:%M}"


class NotificationHistory(models.Model):
    """Notifications already sent to the customer, as exported by the source system."""

    notification_id = models.CharField("Notification ID", max_length=32, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notification_history")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    sent_at = models.DateTimeField("sent date")
    notification_type = models.CharField(max_length=60)
    opened = models.BooleanField()
    clicked = models.BooleanField()
    action_taken = models.CharField(max_length=120, blank=True)
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    notification_priority = models.CharField(max_length=8, choices=Level.choices)
    response_time_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    source_hash = models.CharField(max_length=32, editable=False, default="")

    class Meta:
        verbose_name_plural = "notification history"
        ordering = ["customer", "-sent_at"]
        indexes = [models.Index(fields=["customer", "-sent_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(notification_id=""), name="history_id_not_empty"),
            models.CheckConstraint(condition=_in("channel", Channel), name="history_channel_valid"),
            models.CheckConstraint(condition=_in("delivery_status", DeliveryStatus), name="history_delivery_valid"),
            models.CheckConstraint(condition=_in("notification_priority", Level), name="history_priority_valid"),
            models.CheckConstraint(
                condition=Q(response_time_hours__isnull=True) | Q(response_time_hours__gte=0),
                name="history_response_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.notification_id


class RecommendedAction(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="recommended_actions")
    scenario = models.CharField(max_length=120)
    recommended_action = models.CharField(max_length=255)
    urgency_level = models.CharField(max_length=8, choices=Level.choices)
    follow_up_required = models.BooleanField()
    assigned_team = models.CharField(max_length=80)
    source_hash = models.CharField(max_length=32, editable=False, default="")

    class Meta:
        ordering = ["customer", "scenario"]
        indexes = [models.Index(fields=["urgency_level"])]
        constraints = [
            models.UniqueConstraint(fields=["customer", "scenario"], name="action_natural_key"),
            models.CheckConstraint(condition=~Q(scenario=""), name="action_scenario_not_empty"),
            models.CheckConstraint(condition=_in("urgency_level", Level), name="action_urgency_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.scenario}"


class CustomerContact(models.Model):
    """Where to reach a customer, and whether that address is known to be bad."""

    customer = models.OneToOneField("customers.Customer", on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +447700900123")
    push_endpoint_arn = models.CharField(max_length=300, blank=True, help_text="SNS platform endpoint ARN")
    is_placeholder = models.BooleanField(
        default=False, help_text="Derived demo address (example.invalid / Ofcom drama range), not a real one."
    )
    email_bad = models.BooleanField(default=False)
    phone_bad = models.BooleanField(default=False)
    push_bad = models.BooleanField(default=False)
    bad_reason = models.CharField(max_length=300, blank=True)
    source_hash = models.CharField(max_length=32, editable=False, default="")  # from Customer Contacts.csv
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"contact for customer {self.customer_id}"


class ImportRun(models.Model):
    """One import: an "import all five" upload, run as a Celery job (the page polls this row for
    progress), or an `import_datasets` command run, recorded when it finishes."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    # Every move a run can make (applied by notifications/common/transitions.py, in the upload's task).
    # A command run is stored once finished, so it starts where it ends. running → running: a task
    # redelivered after its worker died imports again (the import is one transaction, so that is safe).
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.RUNNING, Status.SUCCEEDED, Status.FAILED},
        Status.SUCCEEDED: set(),
        Status.FAILED: set(),
    }

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    directory = models.CharField(max_length=300, help_text="Where the uploaded files are kept (var/imports/<id>/).")
    files = models.JSONField(default=dict, help_text="dataset -> uploaded file name")
    progress = models.JSONField(default=dict, help_text="dataset -> rows read so far")
    summaries = models.JSONField(default=list, help_text="per-file counts when finished")
    error_count = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    warnings = models.TextField(
        blank=True, help_text="Odd rows stored as exported: file:line: column=value: reason (the first 1,000)."
    )
    as_of = models.DateTimeField(
        null=True, blank=True, help_text="When the data was true: the newest date in the files, or as given."
    )
    as_of_given = models.BooleanField(default=False, help_text="The as-of time was given, not read from the files.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def rows_read(self) -> int:
        return sum(int(v) for v in (self.progress or {}).values())
