"""API rate limits counted in the shared cache, not in each worker's memory (decision 0913).

DRF's throttles keep their counters in Django's default cache, which is per process here (LocMemCache): with three
gunicorn workers a 60/min limit let about three times as many requests through. These classes count in the cache the
dashboards already share between workers (`CACHES["dashboards"]`: a file cache by default, Redis in the scaled
profile), and identify an anonymous client by `core.net.client_address` (the proxy header only when configured).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from mtqg.core.net import client_address


def throttle_cache_alias() -> str:
    return "dashboards" if "dashboards" in settings.CACHES else "default"


class _SharedCache:
    def __init__(self) -> None:
        self.cache = caches[throttle_cache_alias()]
        super().__init__()

    def get_ident(self, request: Any) -> str:
        return client_address(request) or "unknown"


class SharedAnonRateThrottle(_SharedCache, AnonRateThrottle):
    pass


class SharedUserRateThrottle(_SharedCache, UserRateThrottle):
    pass
