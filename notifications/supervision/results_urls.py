from django.urls import path

from notifications.supervision.views import results

app_name = "results"

urlpatterns = [path("", results.results_page, name="page")]
