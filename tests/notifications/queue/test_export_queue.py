"""export_queue: every analysis field, JSON and CSV, formula injection neutralised."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from notifications.jobs.services import start_job
from notifications.queue.management.commands.export_queue import neutralise
from notifications.queue.models import Notification
from notifications.queue.selectors.export import COLUMNS
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(settings, monkeypatch):
    from celery.canvas import group

    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)
    settings.ANALYSIS_CHUNK_SIZE = 10
    customers = [make_customer(), make_customer(name='=HYPERLINK("http://evil")'), make_customer(value_seeker=False)]
    run_inline(start_job(provider="offline"))
    return customers


def _export(*args) -> str:
    out = io.StringIO()
    call_command("export_queue", *args, stdout=out)
    return out.getvalue()


def test_json_export_has_every_analysis_field(queue):
    rows = json.loads(_export("--format", "json"))
    assert len(rows) == 2 == Notification.objects.count()
    row = rows[0]
    assert set(row) == set(COLUMNS)
    assert row["segment"] == "Value Seekers" and 1 <= row["risk_score"] <= 10
    assert row["trigger_factors"] and all({"field", "value", "why"} <= set(f) for f in row["trigger_factors"])
    assert 3 <= len(row["resolution_steps"]) <= 5
    assert {p["policy"] for p in row["contact_policies"]} >= {"consent", "account_status", "quiet_hours"}
    assert row["body"] and row["original_body"] == row["body"]


def test_csv_export_neutralises_formulas(queue, tmp_path):
    target = tmp_path / "queue.csv"
    call_command("export_queue", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 2
    names = {r["customer_name"] for r in rows}
    assert '\'=HYPERLINK("http://evil")' in names  # shown as text, never run
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
    assert json.loads(rows[0]["trigger_factors"])  # structured fields as JSON in a cell


def test_status_filter(queue):
    Notification.objects.filter(pk=Notification.objects.first().pk).update(status="dismissed")
    assert len(json.loads(_export("--format", "json", "--status", "waiting"))) == 1
    assert len(json.loads(_export("--format", "json", "--status", "waiting", "--status", "dismissed"))) == 2


@pytest.mark.parametrize(
    ("value", "cell"),
    [("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("Hello", "Hello"), (None, ""), (["a"], '["a"]'), (3, "3")],
)  # fmt: skip
def test_neutralise(value, cell):
    assert neutralise(value) == cell
