"""`data_freshness` for every page: "Data as of …", a warning once it is stale (templates/_data_as_of.html)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from customers import selectors


def data_freshness(request: HttpRequest) -> dict[str, object]:
    # Lazy: the query runs only on pages that show it, not on every htmx partial.
    return {"data_freshness": SimpleLazyObject(selectors.data_freshness)}
