from django.urls import path

from notifications.supervision.views import results, uplift

app_name = "results"

urlpatterns = [
    path("", results.results_page, name="page"),
    path("uplift/", uplift.uplift_section, name="uplift"),
]
