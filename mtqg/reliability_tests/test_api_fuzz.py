"""Schemathesis over the whole OpenAPI schema as an authenticated province officer (Điện Biên), bounded examples.

Every operation gets `MAX_EXAMPLES` positive and `MAX_EXAMPLES` negative cases (generated from the schema served
at /api/schema/), sent through Django's test client: no 5xx, and every 4xx body is {"error": {"code", "message",
"fields"}}.
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any
from urllib.parse import quote

import schemathesis
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from mtqg.accounts.tests.test_scoping_guard import SAMPLE_PROVIDERS
from mtqg.testing import World, make_world

MAX_EXAMPLES = 5
FIGURES: dict[str, int] = {"operations": 0, "examples": 0}


def _is_error_format(body: Any) -> bool:
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return False
    return {"code", "message", "fields"} <= set(body["error"])


class ApiFuzzTest(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        for provider in SAMPLE_PROVIDERS:
            module, func = provider.split(":")
            getattr(import_module(module), func)(cls.world)

    def _send(self, case: Any) -> Any:
        path = "/".join(quote(part, safe="%") for part in case.formatted_path.split("/"))
        query = {k: v for k, v in (case.query or {}).items() if v is not None}
        method = case.method.lower()
        if method in ("get", "delete", "head", "options"):
            return (
                getattr(self.client, method)(path, query)
                if method == "get"
                else getattr(self.client, method)(path)
            )
        body = None if type(case.body).__name__ == "NotSet" else case.body
        return getattr(self.client, method)(
            path + ("?" + "&".join(f"{k}={quote(str(v))}" for k, v in query.items()) if query else ""),
            data=body if isinstance(body, bytes) else json.dumps(body, default=str),
            content_type=case.media_type or "application/json",
        )

    def test_fuzz_whole_schema(self) -> None:
        self.client.raise_request_exception = False  # a 500 is a response to count, not an exception
        self.client.force_login(self.world.dien_bien_officer)
        raw = self.client.get("/api/schema/", {"format": "json"}).json()
        schema = schemathesis.openapi.from_dict(raw)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        self.assertGreaterEqual(len(operations), 10)
        failures: list[str] = []
        for operation in operations:
            FIGURES["operations"] += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @settings(
                    max_examples=MAX_EXAMPLES,
                    deadline=None,
                    database=None,
                    derandomize=True,
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    response = self._send(case)
                    FIGURES["examples"] += 1
                    label = f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}"
                    if response.status_code >= 500:
                        failures.append(label)
                    elif response.status_code >= 400:
                        try:
                            body = response.json()
                        except ValueError:
                            body = None
                        if not _is_error_format(body):
                            failures.append(label + " " + response.content[:200].decode(errors="replace"))

                try:
                    run()
                except Unsatisfiable:
                    # no parameter or body to make invalid (e.g. a list without filters): positive cases only
                    self.assertEqual(mode, GenerationMode.NEGATIVE, operation.label)
                    FIGURES["no_negative"] = FIGURES.get("no_negative", 0) + 1
        print(f"\nfuzz: {FIGURES}")
        self.assertEqual(failures, [], "\n".join(failures[:30]))
        self.assertGreaterEqual(FIGURES["examples"], FIGURES["operations"])
