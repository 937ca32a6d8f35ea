"""Schemathesis over the whole OpenAPI schema, for every persona, bounded examples.

Every operation gets positive and negative cases (generated from the schema served at /api/schema/), sent through
Django's test client as each persona of mtqg.testing (central, Điện Biên province, Mường Phăng commune, Cao Bằng
province, view-only supervisor, anonymous): no 5xx, every 4xx body is {"error": {"code", "message", "fields"}}, and
every 2xx JSON body conforms to the operation's documented response schema (types, required fields, nullability).
The Điện Biên officer gets `MAX_EXAMPLES` cases per mode and operation, the other personas `OTHER_EXAMPLES`
(every persona, response conformance, runtime kept modest).
"""

from __future__ import annotations

import json
from importlib import import_module
from typing import Any
from urllib.parse import quote

import requests
import schemathesis
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response

from mtqg.accounts.tests.test_scoping_guard import SAMPLE_PROVIDERS
from mtqg.testing import World, make_world

MAX_EXAMPLES = 5
OTHER_EXAMPLES = 2
PERSONAS = ("dien_bien_officer", "central", "commune_officer", "cao_bang_officer", "supervisor", "anonymous")
FIGURES: dict[str, int] = {"operations": 0, "examples": 0, "conformance_checked": 0}


def _conformance_error(operation: Any, response: Any) -> str:
    """'' when a 2xx JSON response matches the operation's documented response schema, else the violation."""

    if not (200 <= response.status_code < 300) or "json" not in response.get("Content-Type", ""):
        return ""
    FIGURES["conformance_checked"] += 1
    wrapped = Response(
        status_code=response.status_code,
        headers={k.lower(): [v] for k, v in response.headers.items()},
        content=response.content,
        request=requests.Request("GET", "http://testserver/").prepare(),
        elapsed=0.0,
        verify=False,
    )
    try:
        operation.validate_response(wrapped)
    except FailureGroup as exc:
        return "; ".join(
            str(getattr(f, "title", f)) + ": " + str(getattr(f, "message", ""))[:300] for f in exc.exceptions
        )
    except AssertionError as exc:
        return str(exc)[:300]
    return ""


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

    def _fuzz_persona(self, persona: str) -> None:
        """The whole schema as one persona; one test per persona, so the suite's workers share them out."""
        self.client.raise_request_exception = False  # a 500 is a response to count, not an exception
        self.client.force_login(self.world.dien_bien_officer)
        raw = self.client.get("/api/schema/", {"format": "json"}).json()
        schema = schemathesis.openapi.from_dict(raw)
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
        self.assertGreaterEqual(len(operations), 10)
        self.client.logout()
        if persona != "anonymous":
            self.client.force_login(getattr(self.world, persona))
        figures = dict.fromkeys(FIGURES, 0)
        FIGURES.update(figures)
        failures: list[str] = []
        examples = {"dien_bien_officer": MAX_EXAMPLES, "anonymous": 1}.get(persona, OTHER_EXAMPLES)
        for operation in operations:
            FIGURES["operations"] += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                self._fuzz(operation, mode, examples, persona, failures)
        print(f"\nfuzz {persona}: {FIGURES}")
        self.assertEqual(failures, [], "\n".join(failures[:30]))
        self.assertGreaterEqual(FIGURES["examples"], FIGURES["operations"])
        if persona == "dien_bien_officer":
            self.assertGreater(FIGURES["conformance_checked"], 100)
        elif persona != "anonymous":
            self.assertGreater(FIGURES["conformance_checked"], 10)

    def test_fuzz_dien_bien_officer(self) -> None:
        self._fuzz_persona("dien_bien_officer")

    def test_fuzz_central(self) -> None:
        self._fuzz_persona("central")

    def test_fuzz_commune_officer(self) -> None:
        self._fuzz_persona("commune_officer")

    def test_fuzz_cao_bang_officer(self) -> None:
        self._fuzz_persona("cao_bang_officer")

    def test_fuzz_supervisor(self) -> None:
        self._fuzz_persona("supervisor")

    def test_fuzz_anonymous(self) -> None:
        self._fuzz_persona("anonymous")

    def _fuzz(self, operation: Any, mode: Any, examples: int, persona: str, failures: list[str]) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            response = self._send(case)
            FIGURES["examples"] += 1
            label = f"{persona}: {case.method} {case.formatted_path} {case.query} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(label)
            elif response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = None
                if not _is_error_format(body):
                    failures.append(label + " " + response.content[:200].decode(errors="replace"))
            elif violation := _conformance_error(operation, response):
                failures.append(label + " schema: " + violation)

        try:
            run()
        except Unsatisfiable:
            # no parameter or body to make invalid (e.g. a list without filters): positive cases only
            self.assertEqual(mode, GenerationMode.NEGATIVE, operation.label)
            FIGURES["no_negative"] = FIGURES.get("no_negative", 0) + 1


def test_every_persona_has_its_fuzz_test() -> None:
    assert {f"test_fuzz_{p}" for p in PERSONAS} <= set(dir(ApiFuzzTest))
