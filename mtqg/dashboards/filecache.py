"""The dashboards' shared file cache (decision 0716), culled without listing its directory on every write.

Django's `FileBasedCache.set` calls `_cull`, which lists every entry of the directory to compare the count with
MAX_ENTRIES — on every write. At province scale the directory holds 10.000-20.000 entries and a listing costs
10-23 ms of CPU on this machine (decision 0835), so a page miss (4 writes: the page and its facts, children and
default-year memos) paid 40-90 ms for listings alone. Here each cache object (one per thread) culls on its first
write and then once every `CULL_EVERY` writes: the directory may exceed MAX_ENTRIES by at most CULL_EVERY entries
per thread before the next cull removes a third of it at random, as Django does.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 200


class FileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:
        options = params.get("OPTIONS") or {}
        self.cull_every = int(options.get("CULL_EVERY", CULL_EVERY))
        params = {**params, "OPTIONS": {k: v for k, v in options.items() if k != "CULL_EVERY"}}
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % self.cull_every == 1 or self.cull_every <= 1:
            super()._cull()  # type: ignore[misc]  # Django's private method, untyped in the stubs
