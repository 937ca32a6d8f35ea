"""`make audit` (mtqg/reliability_tests/audit.py, decision 0904): it fails on a known vulnerability, passes a clean
lock, and says clearly when the vulnerability service cannot be used — failing only when the audit is required.

The real pip-audit runs against a local stand-in for the OSV API (`--osv-url`), so the test needs no network.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.test import SimpleTestCase

from . import audit

ADVISORY = {
    "id": "GHSA-test-0001",
    "aliases": ["CVE-2099-0001"],
    "summary": "Lỗ hổng thử nghiệm",
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.1"}]}],
        }
    ],
}


class FakeOsv(BaseHTTPRequestHandler):
    """POST /v1/query: django 3.0.0 has ADVISORY, every other package version is clean ({})."""

    def do_POST(self) -> None:
        query = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        package = query.get("package", {}).get("name")
        body: dict[str, Any] = (
            {"vulns": [ADVISORY]} if (package, query.get("version")) == ("django", "3.0.0") else {}
        )
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        return


class AuditTest(SimpleTestCase):
    server: ThreadingHTTPServer
    tmp: tempfile.TemporaryDirectory[str]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsv)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.url = f"http://127.0.0.1:{cls.server.server_address[1]}/v1/query"
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.shutdown()
        cls.server.server_close()
        cls.tmp.cleanup()
        super().tearDownClass()

    def _lock(self, name: str, text: str) -> str:
        path = Path(self.tmp.name) / name
        path.write_text(text)
        return str(path)

    def _run(self, locks: list[str], url: str, required: bool = False) -> tuple[str, int]:
        results = audit.audit(locks, ["osv"], url, timeout=60)
        return audit.render(results, required)

    def test_a_known_vulnerability_fails_the_audit(self) -> None:
        """One real pip-audit run over two locks: six is audited clean, django 3.0.0 has the advisory."""
        vulnerable = self._lock("vulnerable.lock", "django==3.0.0\n    # via x\nsix==1.17.0\n")
        clean = self._lock("clean.lock", "six==1.17.0\n")
        text, code = self._run([clean, vulnerable], self.url)
        self.assertEqual(code, 1, text)
        self.assertIn("[LỖ HỔNG / VULNERABLE]", text)
        self.assertIn("in 2 packages audited", text)
        self.assertIn("django==3.0.0: CVE-2099-0001 (GHSA-test-0001) → sửa ở / fixed in 3.0.1", text)

    def test_a_clean_audit_passes(self) -> None:
        stdout = json.dumps(
            {
                "dependencies": [
                    {"name": "six", "version": "1.17.0", "vulns": []},
                    {"name": "sqlparse", "version": "0.5.3", "vulns": []},
                ],
                "fixes": [],
            }
        )
        text, code = audit.render([audit.classify("requirements.lock", "osv", stdout, "", 0)], required=True)
        self.assertEqual(code, 0, text)
        self.assertIn("[SẠCH / CLEAN] requirements.lock (osv): 2 gói", text)

    def test_an_unreachable_service_is_said_clearly_and_fails_only_when_required(self) -> None:
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            closed = f"http://127.0.0.1:{s.getsockname()[1]}/v1/query"
        results = audit.audit([self._lock("clean.lock", "six==1.17.0\n")], ["osv"], closed, timeout=60)
        text, code = audit.render(results, required=False)
        self.assertEqual(code, 0, text)
        self.assertIn("[KHÔNG KIỂM TRA ĐƯỢC / NOT AUDITED]", text)
        self.assertIn("ConnectionError", text)
        text, code = audit.render(results, required=True)
        self.assertEqual(code, 2, text)
        self.assertIn("NOT AUDITED and required: FAILED", text)

    def test_not_found_answers_are_not_a_clean_audit(self) -> None:
        """What PyPI answers here for /pypi/<name>/<version>/json (404): pip-audit skips every package, prints
        "No known vulnerabilities found" and exits 0. That is NOT AUDITED, not clean."""
        stdout = json.dumps(
            {
                "dependencies": [
                    {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"}
                ],
                "fixes": [],
            }
        )
        outcome = audit.classify("requirements.lock", "pypi", stdout, "", 0)
        self.assertEqual(outcome.status, audit.UNREACHABLE)
        text, code = audit.render([outcome], required=True)
        self.assertEqual(code, 2)
        self.assertIn("1 gói không kiểm tra được", text)
