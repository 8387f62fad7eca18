"""A Bedrock job against the local fake (real boto3 client, chunks run in this process): a refused configuration
stops the job at once with the named error, shown in the workspace; the share of customers that needed Bedrock."""

from __future__ import annotations

import pytest
from celery.canvas import group
from django.urls import reverse
from django.utils.html import escape

from notifications.analysis.analysts.base import AnalystUnavailable
from notifications.analysis.models import CustomerAnalysis
from notifications.jobs.pipeline import process_chunk
from notifications.jobs.selectors import job_summary
from notifications.jobs.services import start_job
from tests.fakes.bedrock_server import throttle
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db
RETIRED = "anthropic.claude-3-haiku-20240307-v1:0"
HAIKU = "eu.anthropic.claude-haiku-4-5-20251001-v1:0"


@pytest.fixture
def bedrock(fake_bedrock, settings, monkeypatch):
    """The fake, small chunks and batches, no broker (run_inline runs the chunks here)."""
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)
    # One call at a time: the write-ahead ledger writes from the calling thread, and the in-memory test
    # database cannot take writes from other threads inside the test's transaction.
    settings.ANALYSIS_CHUNK_SIZE, settings.ANALYSIS_COMMIT_EVERY, settings.ANALYST_CONCURRENCY = 10, 5, 1
    return fake_bedrock


@pytest.mark.parametrize(
    ("model_id", "denied", "error"),
    [
        (RETIRED, (), f"Bedrock in eu-west-2 does not recognise model {RETIRED}, which is retired or misspelt"),
        (HAIKU, ("anthropic.claude-haiku-4-5-20251001-v1:0",), f"These AWS credentials may not call model {HAIKU}"),
    ],
)
def test_a_refused_model_stops_the_job_within_the_first_calls(bedrock, settings, client, supervisor, model_id,
                                                               denied, error):  # fmt: skip
    server = bedrock(denied=denied)
    settings.BEDROCK_BULK_MODEL_ID = model_id
    settings.BEDROCK_CONFIDENCE_THRESHOLD = 1.0  # every customer goes to Bedrock
    for _ in range(30):
        make_customer()
    job = run_inline(start_job(provider="bedrock"))
    assert job.status == "failed" and job.error.startswith(error) and job.finished_at
    assert 1 <= len(server.requests) <= 5  # the first batch at most, not one retried call per customer
    assert (job.done, job.failed, job.fallbacks) == (0, 0, 0)  # nobody was analysed, or counted as failed
    assert set(job.chunks.values_list("status", flat=True)) == {"cancelled"}
    # The workspace shows why.
    client.force_login(supervisor)
    page = client.get(reverse("notifications:queue")).content.decode()
    assert "Last run failed" in page and escape(job.error) in page


def test_throttling_is_not_a_configuration_error(bedrock, settings):
    server = bedrock()
    settings.BEDROCK_CONFIDENCE_THRESHOLD = 1.0
    make_customer()
    server.script(throttle())
    job = start_job(provider="bedrock")
    with pytest.raises(AnalystUnavailable):  # for the task's retry with backoff
        process_chunk(job.chunks.get().pk)
    job.refresh_from_db()
    assert job.status == "running" and job.error == ""
    process_chunk(job.chunks.get().pk)  # the retry
    job.refresh_from_db()
    assert (job.status, job.done) == ("succeeded", 1)


@pytest.mark.parametrize(("threshold", "reached", "model"), [(1.0, 6, HAIKU), (0.4, 0, "offline-rules-2")])
def test_the_share_of_customers_that_needed_bedrock(bedrock, settings, client, supervisor, threshold, reached,
                                                     model):  # fmt: skip
    server = bedrock()
    settings.BEDROCK_CONFIDENCE_THRESHOLD = threshold
    for n in range(6):
        make_customer(value_seeker=n % 2 == 0)  # clear cases for the rules: Value Seekers and Traditionalists
    job = run_inline(start_job(provider="bedrock"))
    assert (job.status, job.done) == ("succeeded", 6)
    assert job_summary(job)["bedrock_customers"] == reached
    assert bool(server.requests) == bool(reached)
    # The card names the model that segmented each customer: the rules' version when no call was made.
    assert set(CustomerAnalysis.objects.filter(job=job).values_list("provider", "model_id")) == {("bedrock", model)}
    client.force_login(supervisor)
    page = client.get(reverse("notifications:queue")).content.decode()
    percent = {6: "100", 0: "0"}[reached]
    assert f"Bedrock for {reached} of 6 analysed ({percent}%)" in page
