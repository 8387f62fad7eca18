"""`generate_dataset`: stream the five supplier files, customer by customer.

One `random.Random(seed)` drives everything in a fixed order and nothing
depends on set or hash order, so a seed always gives byte-identical files.
Rows are buffered for a few thousand customers and written with
`writerows`; memory stays flat whatever the customer count.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from contextlib import ExitStack
from pathlib import Path

from customers.demo_data.accounts import activity_rows, profile_row
from customers.demo_data.actions import action_rows
from customers.demo_data.clock import Calendar
from customers.demo_data.interactions import interaction_rows
from customers.demo_data.notifications import notification_rows
from customers.demo_data.personas import draw_customer

PROFILES = "Customer Profiles.csv"
ACTIVITY = "Account Activity Logs.csv"
INTERACTIONS = "Interaction History.csv"
NOTIFICATIONS = "Notification History.csv"
ACTIONS = "Recommended Actions.csv"
PERSONAS_FILE = "personas.csv"

HEADERS: dict[str, list[str]] = {
    PROFILES: [
        "Customer_ID",
        "Name",
        "Age",
        "Location",
        "Preferred_Channel",
        "Segment",
        "Opted_In",
        "Income_Bracket",
        "Customer_Since",
        "Satisfaction_Score",
    ],
    ACTIVITY: [
        "Customer_ID",
        "Account_Status",
        "Last_Transaction",
        "Last_Login",
        "Recent_Activity",
        "Engagement_Score",
        "Account_Tenure_Years",
        "Subscription_Type",
        "Churn_Risk_Score",
    ],
    INTERACTIONS: [
        "Customer_ID",
        "Channel",
        "Date & Time",
        "Interaction_Type",
        "Sentiment",
        "Summary",
        "Response_Time_Minutes",
        "Resolution_Status",
        "Agent_ID",
    ],
    NOTIFICATIONS: [
        "Notification_ID",
        "Customer_ID",
        "Channel",
        "Sent_Date",
        "Notification_Type",
        "Opened",
        "Clicked",
        "Action_Taken",
        "Delivery_Status",
        "Notification_Priority",
        "Response_Time_Hours",
    ],
    ACTIONS: ["Customer_ID", "Scenario", "Recommended_Action", "Urgency_Level", "Follow_Up_Required", "Assigned_Team"],
}
PERSONAS_HEADER = ["Customer_ID", "Persona"]
FIRST_NOTIFICATION_ID = 1000

# A fixed reference date, so that the default output never changes with the
# calendar. The demo setup passes today's date instead, so its data looks fresh.
DEFAULT_AS_OF = dt.date(2026, 11, 20)
_FLUSH_EVERY = 2000  # customers per writerows batch


def generate_dataset(
    out_dir: Path,
    *,
    customers: int,
    seed: int,
    with_personas: bool = False,
    as_of: dt.date = DEFAULT_AS_OF,
) -> dict[str, int]:
    """Write the five supplier CSV files into `out_dir`; return {file name: data rows}.

    With `with_personas`, also write `personas.csv` (Customer_ID,Persona), the
    hidden ground truth for measuring segmentation; it is not counted in the
    result because it is not one of the supplier's files. Every date is on or
    before the day before `as_of`.
    """
    if customers < 0:
        raise ValueError("customers must be >= 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cal = Calendar(as_of)
    names = list(HEADERS)
    counts = dict.fromkeys(names, 0)
    next_notification = FIRST_NOTIFICATION_ID

    with ExitStack() as stack:
        writers = {}
        for name in names:
            handle = stack.enter_context(open(out_dir / name, "w", encoding="utf-8", newline=""))
            writers[name] = csv.writer(handle)
            writers[name].writerow(HEADERS[name])
        persona_writer = None
        if with_personas:
            handle = stack.enter_context(open(out_dir / PERSONAS_FILE, "w", encoding="utf-8", newline=""))
            persona_writer = csv.writer(handle)
            persona_writer.writerow(PERSONAS_HEADER)

        buffers: dict[str, list[list]] = {name: [] for name in names}
        personas: list[list[str]] = []

        def flush() -> None:
            for name in names:
                writers[name].writerows(buffers[name])
                counts[name] += len(buffers[name])
                buffers[name].clear()
            if persona_writer is not None:
                persona_writer.writerows(personas)
            personas.clear()

        profiles, activity, interactions = buffers[PROFILES], buffers[ACTIVITY], buffers[INTERACTIONS]
        notifications, actions = buffers[NOTIFICATIONS], buffers[ACTIONS]
        for number in range(1, customers + 1):
            customer = draw_customer(rng, number)
            profiles.append(profile_row(rng, cal, customer))
            activity.extend(activity_rows(rng, cal, customer))
            interactions.extend(interaction_rows(rng, cal, customer))
            sent = notification_rows(rng, cal, customer, next_notification)
            next_notification += len(sent)
            notifications.extend(sent)
            actions.extend(action_rows(rng, customer))  # after interactions: it reads their flags
            personas.append([customer.customer_id, customer.persona])
            if number % _FLUSH_EVERY == 0:
                flush()
        flush()
    return counts
