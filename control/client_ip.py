"""The client address django-axes keys login lockouts on (AXES_CLIENT_IP_CALLABLE).

django-ipware is not installed, so axes would key on REMOTE_ADDR: behind a load balancer that is
the balancer's address, and one attacker would lock every user out (or all users would share one
count). This honours the two ipware-named settings instead:

- AXES_IPWARE_PROXY_COUNT: how many proxies we run in front of Django (0/unset: trust none).
- AXES_IPWARE_META_PRECEDENCE_ORDER: the request.META keys to look in, in order.

Each proxy appends the address it was connected from to X-Forwarded-For, so with N proxies the
client is the N-th entry from the right; anything further left was sent by the client and can be
forged, so it is never used. A header with fewer than N entries did not come through our proxies
and is skipped.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if proxies <= 0:
        return remote  # no proxy is trusted: a forwarded header is whatever the client typed
    for key in settings.AXES_IPWARE_META_PRECEDENCE_ORDER:
        if key == "REMOTE_ADDR":
            return remote
        entries = [e.strip() for e in request.META.get(key, "").split(",") if e.strip()]
        if len(entries) >= proxies:
            return entries[-proxies]
    return remote
