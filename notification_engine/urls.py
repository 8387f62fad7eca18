from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # Control-room pages (dashboard, AI usage, "import all five") live under the admin URL, before the admin's own.
    path(f"{settings.ADMIN_URL}control-room/", include("control.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("results/", include("notifications.results_urls")),
    path("deliveries/", include("notifications.delivery_urls")),
    path("", include("notifications.tracking_urls")),  # public: tracking, unsubscribe, receipts
    path("", include("notifications.urls")),
]
