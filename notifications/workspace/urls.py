from django.urls import path

from notifications.workspace.views import approvals, cards, drafts, jobs, live, queue, stats

app_name = "notifications"

urlpatterns = [
    path("", queue.queue_page, name="queue"),
    path("stats/", stats.stats, name="stats"),
    path("live/", live.live, name="live"),
    path("approvals/", approvals.approvals_page, name="approvals"),
    path("approvals/<int:pk>/", approvals.decide, name="decide"),
    path("jobs/run/", jobs.run_analysis, name="run_analysis"),
    path("jobs/<int:pk>/progress/", jobs.job_progress, name="job_progress"),
    path("jobs/<int:pk>/cancel/", jobs.cancel_job, name="cancel_job"),
    path("cards/<int:pk>/", cards.card_page, name="card"),
    path("cards/<int:pk>/sections/<slug:name>/", cards.section, name="section"),
    path("cards/<int:pk>/claim/", cards.claim, name="claim"),
    path("cards/<int:pk>/release/", cards.release, name="release"),
    path("cards/<int:pk>/dismiss/", cards.dismiss, name="dismiss"),
    path("cards/<int:pk>/snooze/", cards.snooze, name="snooze"),
    path("cards/<int:pk>/draft/", drafts.autosave, name="draft"),
    path("cards/<int:pk>/revert/", drafts.revert, name="revert"),
    path("cards/<int:pk>/send/confirm/", drafts.send_confirm, name="send_confirm"),
    path("cards/<int:pk>/confirm-data/", drafts.confirm_data, name="confirm_data"),
    path("cards/<int:pk>/send/", drafts.send, name="send"),
    path("cards/<int:pk>/approval/", approvals.request_approval, name="request_approval"),
]
