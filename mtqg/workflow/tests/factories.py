"""Plain helpers that make workflow rows for tests."""

from __future__ import annotations

from mtqg.testing import World


def guard_sample(world: World) -> list[str]:
    """Create at least one row of every scoped workflow model in Điện Biên and one in Cao Bằng (put the marker
    'GUARD-ĐB' in a free-text field of the Điện Biên rows where there is one) and return the URLs (HTML detail
    pages, exports, API details) of Điện Biên-only resources. The guard test asserts the Cao Bằng officer gets
    403/404 on each URL and never sees 'GUARD-ĐB' on any list page, and the Điện Biên officer gets 200."""
    return []
