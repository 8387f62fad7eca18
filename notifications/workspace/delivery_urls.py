"""Agent actions on deliveries (login and the work-queue permission required), keyed by the notification."""

from django.urls import path

from notifications.workspace.views import delivery

app_name = "delivery"

urlpatterns = [
    path("<int:pk>/retry/", delivery.retry, name="retry"),
    path("<int:pk>/call/", delivery.call_outcome, name="call_outcome"),
]
