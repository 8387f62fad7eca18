from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # Control-room pages (dashboard, AI usage, "import all five") live under the admin URL, before the admin's own.
    path(f"{settings.ADMIN_URL}control-room/", include("notifications.supervision.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("results/", include("notifications.supervision.results_urls")),
    path("deliveries/", include("notifications.workspace.delivery_urls")),
    path("", include("notifications.delivery.urls")),  # public: tracking, unsubscribe, receipts
    path("", include("notifications.workspace.urls")),
]
