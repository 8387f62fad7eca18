from django.contrib import admin
from django.urls import path

from notifications.supervision.views import control_room as views

app_name = "control"

urlpatterns = [
    path("dashboard/", admin.site.admin_view(views.dashboard), name="dashboard"),
    path("usage/", admin.site.admin_view(views.usage), name="usage"),
    path("import/", admin.site.admin_view(views.import_all), name="import_all"),
    path("import/<int:pk>/", admin.site.admin_view(views.import_progress), name="import_progress"),
]
