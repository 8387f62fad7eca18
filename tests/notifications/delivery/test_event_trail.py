"""The item's event trail starts when it is drafted and records each agent edit as it happens.

Sending and engagement events are tested in test_delivery.py and test_tracking.py.
"""

from __future__ import annotations

import pytest
from celery.canvas import group

from notifications.analysis.models import AnalysisJob
from notifications.jobs.services import start_job
from notifications.queue.models import Notification, NotificationEvent
from notifications.queue.services import claims as queue
from notifications.queue.services.claims import StaleEdit
from tests.factories import NotificationFactory, make_role_user
from tests.notifications.jobs.test_worker_support import make_customer, run_inline

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: None)


def _run(**kwargs) -> AnalysisJob:
    return run_inline(start_job(provider="offline", **kwargs))


def _trail(n: Notification) -> list[tuple[str, str, dict]]:
    return list(NotificationEvent.objects.filter(notification=n).values_list("kind", "source", "metadata"))


def test_every_new_draft_gets_one_drafted_event_naming_the_analyst_and_the_job():
    make_customer(), make_customer(), make_customer(value_seeker=False)
    job = _run()
    drafts = list(Notification.objects.filter(job=job))
    assert len(drafts) == job.drafts == 2
    for n in drafts:
        assert _trail(n) == [("drafted", "offline", {"job": job.pk, "fallback": False, "refreshed": False})]


def test_a_forced_rerun_refreshes_an_untouched_draft_and_says_so_but_leaves_an_edited_one_alone():
    agent = make_role_user("agent")
    untouched_customer, edited_customer = make_customer(), make_customer()
    _run()
    edited = Notification.objects.get(customer=edited_customer)
    edited = queue.claim(edited, user=agent)
    queue.edit_draft(edited, user=agent, subject=edited.subject, body=edited.body + " Thanks.", expected_version=1)

    second = _run(force=True)

    untouched = Notification.objects.get(customer=untouched_customer)
    assert [(k, m["refreshed"], m["job"]) for k, _, m in _trail(untouched)][-1] == ("drafted", True, second.pk)
    assert [k for k, _, _ in _trail(edited)] == ["drafted", "edited"]  # the agent's work is never redrafted


def test_each_saved_edit_is_on_the_trail_with_who_and_how_many_words_changed():
    agent = make_role_user("agent")
    text = "Hello, we can help with your bill."
    n = queue.claim(NotificationFactory(original_body=text, body=text), user=agent)

    n = queue.edit_draft(n, user=agent, subject=n.subject, body=f"{text} Thanks.", expected_version=1)
    n = queue.edit_draft(n, user=agent, subject=n.subject, body=n.body, expected_version=2)  # no change: no event
    n = queue.revert_draft(n, user=agent, expected_version=2)

    edits = list(
        NotificationEvent.objects.filter(notification=n, kind="edited").values_list("user", "source", "metadata")
    )
    assert [(user, source, meta["version"]) for user, source, meta in edits] == [
        (agent.pk, "agent", 2),
        (agent.pk, "agent", 3),
    ]
    assert edits[0][2]["word_edits"] == 1 and edits[0][2]["word_edits_from_original"] == 1
    assert edits[1][2]["word_edits"] == 1 and edits[1][2]["word_edits_from_original"] == 0  # back to the AI's text


def test_a_refused_edit_leaves_no_event():
    agent = make_role_user("agent")
    n = queue.claim(NotificationFactory(), user=agent)
    with pytest.raises(StaleEdit):
        queue.edit_draft(n, user=agent, subject=n.subject, body="Something else", expected_version=7)
    assert not NotificationEvent.objects.filter(notification=n, kind="edited").exists()


def test_a_draft_the_pipeline_wrote_an_agent_edited_and_sent_has_its_whole_trail(
    settings, django_capture_on_commit_callbacks
):
    from notifications.delivery.services.delivery import attempt_delivery
    from notifications.delivery.services.sending import send_notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent = make_role_user("agent")
    customer = make_customer(channel="Email")
    _run()
    n = queue.claim(Notification.objects.get(customer=customer), user=agent)
    n = queue.edit_draft(n, user=agent, subject=n.subject, body=n.body + " Kind regards.", expected_version=1)
    with django_capture_on_commit_callbacks(execute=False):
        send_notification(n, user=agent, expected_version=2)
    attempt_delivery(n.delivery.pk)

    trail = list(NotificationEvent.objects.filter(notification=n).values_list("kind", "user"))
    assert trail == [
        ("drafted", None),
        ("edited", agent.pk),
        ("send_requested", agent.pk),
        ("sent", None),
        ("delivered", None),
    ]
