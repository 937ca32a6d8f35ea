"""The OpenAPI schema, generated once per process and language.

drf-spectacular builds the schema on every request by walking every view, and its generator has shared state that
concurrent first loads would trip over. The schema depends on the code only, so the first request generates it under a lock
and every later one reuses it (keyed by language and API version).
"""

from __future__ import annotations

import threading
from typing import Any

from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_LOCK = threading.Lock()
_SCHEMAS: dict[tuple[str, str], Any] = {}


class CachedSchemaView(SpectacularAPIView):
    def _get_schema_response(self, request: Any) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (get_language() or "", str(version or ""))
        with _LOCK:
            schema = _SCHEMAS.get(key)
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = _SCHEMAS[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


def schema_cache_clear() -> None:
    with _LOCK:
        _SCHEMAS.clear()
