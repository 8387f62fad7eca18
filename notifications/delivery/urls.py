"""Public, login-free URLs: tracking, unsubscribe and delivery receipts (notifications/delivery/views.py)."""

from django.urls import path

from notifications.delivery import views as tracking

app_name = "tracking"

urlpatterns = [
    path("t/o/<str:token>/", tracking.open_pixel, name="open"),
    path("t/c/<str:token>/", tracking.click, name="click"),
    path("t/landing/", tracking.landing, name="landing"),
    path("u/<str:token>/", tracking.unsubscribe, name="unsubscribe"),
    path("webhooks/delivery/", tracking.delivery_webhook, name="delivery_webhook"),
]
