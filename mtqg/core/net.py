"""The client's address, for rate limits and login limits (decision 0913).

Behind a reverse proxy every request comes from the proxy's address, so a per-address limit would lock everyone
out at once, or (trusting `X-Forwarded-For` blindly, as DRF does by default) let anyone pick a fresh address per
request. The header is read only when configured (`CLIENT_IP_HEADER`, e.g. `X-Forwarded-For` or `X-Real-IP`) and
only from a request whose direct peer is one of `TRUSTED_PROXIES`; the client is then the right-most address in the
header that is not itself a trusted proxy (the left part of X-Forwarded-For is whatever the client sent).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_address(request: Any) -> str | None:
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    trusted = set(getattr(settings, "TRUSTED_PROXIES", ()))
    if not header or remote not in trusted:
        return remote
    raw = meta.get("HTTP_" + header.upper().replace("-", "_"), "")
    for candidate in reversed([part.strip() for part in raw.split(",") if part.strip()]):
        if candidate in trusted:
            continue
        return candidate if _valid(candidate) else remote
    return remote
