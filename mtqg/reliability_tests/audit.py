"""`make audit`: pip-audit over the locked dependencies, with an answer a person can act on (decision 0904).

    .venv/bin/python -m mtqg.reliability_tests.audit [--service pypi,osv] [--osv-url URL] [--required]
                                                     requirements.lock requirements-dev.lock

pip-audit runs once over all the lock files with `--no-deps --disable-pip` (the locks are complete and pinned),
against each service in turn until one of them audits every package. Outcomes, printed in Vietnamese and English:

* a known vulnerability in any lock → the packages, versions, advisory ids and fixed versions; exit 1;
* every package audited, nothing found → exit 0;
* the service could not be used (no network, DNS, refused connection, or it answered "not found" for the pinned
  versions — pip-audit itself then says "No known vulnerabilities found" and exits 0, which is NOT a clean audit)
  → a clear "NOT AUDITED" message with the reason; exit 0 (warning) unless `--required` / AUDIT_REQUIRED=1, then
  exit 2.

Environment (what `make audit` passes): AUDIT_SERVICE, AUDIT_OSV_URL, AUDIT_REQUIRED, AUDIT_TIMEOUT (seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VULNERABLE, CLEAN, UNREACHABLE = "vulnerable", "clean", "unreachable"
EXIT = {CLEAN: 0, VULNERABLE: 1}
EXIT_UNREACHABLE_REQUIRED = 2
NETWORK_MARKERS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "NameResolutionError",
    "Max retries exceeded",
    "ServiceError",
    "HTTPError",
)


@dataclass
class Outcome:
    lock: str
    service: str
    status: str
    audited: int = 0
    vulns: list[dict[str, Any]] = field(default_factory=list)  # {name, version, id, aliases, fix_versions}
    skipped: list[str] = field(default_factory=list)
    reason: str = ""


def _pip_audit() -> str:
    here = Path(sys.executable).parent / "pip-audit"
    return str(here) if here.exists() else (shutil.which("pip-audit") or "pip-audit")


def classify(lock: str, service: str, stdout: str, stderr: str, returncode: int) -> Outcome:
    """Read pip-audit's JSON; no JSON means it crashed (network errors end in a traceback, exit 1)."""
    try:
        report = json.loads(stdout or "null")
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict):
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        network = next((ln for ln in reversed(lines) if any(m in ln for m in NETWORK_MARKERS)), "")
        last = network or (lines[-1] if lines else f"exit {returncode}")
        return Outcome(lock, service, UNREACHABLE, reason=last.strip()[:300])
    outcome = Outcome(lock, service, CLEAN)
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            outcome.skipped.append(f"{dep.get('name')}: {dep['skip_reason']}")
            continue
        outcome.audited += 1
        for vuln in dep.get("vulns", []):
            outcome.vulns.append(
                {
                    "name": dep.get("name"),
                    "version": dep.get("version"),
                    "id": vuln.get("id"),
                    "aliases": vuln.get("aliases", []),
                    "fix_versions": vuln.get("fix_versions", []),
                }
            )
    if outcome.vulns:
        outcome.status = VULNERABLE
    elif outcome.skipped or not outcome.audited:
        outcome.status = UNREACHABLE
        example = outcome.skipped[0] if outcome.skipped else "0 gói / no package"
        outcome.reason = f"{len(outcome.skipped)} gói không kiểm tra được / not audited, e.g. {example}"
    return outcome


def run_once(locks: list[str], service: str, osv_url: str, timeout: int, cache_dir: str) -> Outcome:
    """One pip-audit run over all lock files (it merges them)."""
    cmd = [_pip_audit()]
    for lock in locks:
        cmd += ["-r", lock]
    cmd += ["--no-deps", "--disable-pip", "-s", service, "-f", "json", "--progress-spinner", "off"]
    cmd += ["--cache-dir", cache_dir, "--timeout", str(max(1, min(15, timeout // 4)))]
    if service == "osv" and osv_url:
        cmd += ["--osv-url", osv_url]
    label = " + ".join(locks)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(label, service, UNREACHABLE, reason=f"pip-audit quá {timeout} s / timed out")
    except OSError as exc:
        return Outcome(label, service, UNREACHABLE, reason=f"không chạy được pip-audit / cannot run: {exc}")
    return classify(label, service, proc.stdout, proc.stderr, proc.returncode)


def audit(locks: list[str], services: list[str], osv_url: str, timeout: int) -> list[Outcome]:
    """The first service that audits every package wins (a vulnerability found also stops the search)."""
    tried: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="pip-audit-cache-") as cache_dir:
        for service in services:
            outcome = run_once(locks, service, osv_url, timeout, cache_dir)
            tried.append(outcome)
            if outcome.status != UNREACHABLE:
                return [outcome]
    final = tried[-1]
    final.reason = " | ".join(f"{o.service}: {o.reason}" for o in tried)
    return [final]


def render(results: list[Outcome], required: bool) -> tuple[str, int]:
    lines: list[str] = []
    for r in results:
        if r.status == VULNERABLE:
            lines.append(
                f"[LỖ HỔNG / VULNERABLE] {r.lock} ({r.service}): {len(r.vulns)} lỗ hổng đã biết / known "
                f"vulnerabilities in {r.audited} packages audited"
            )
            for v in r.vulns:
                fix = ", ".join(v["fix_versions"]) or "chưa có bản sửa / no fix yet"
                aka = f" ({', '.join(v['aliases'])})" if v["aliases"] else ""
                lines.append(f"    {v['name']}=={v['version']}: {v['id']}{aka} → sửa ở / fixed in {fix}")
        elif r.status == CLEAN:
            lines.append(
                f"[SẠCH / CLEAN] {r.lock} ({r.service}): {r.audited} gói, không có lỗ hổng đã biết / "
                f"{r.audited} packages, no known vulnerabilities"
            )
        else:
            lines.append(
                f"[KHÔNG KIỂM TRA ĐƯỢC / NOT AUDITED] {r.lock}: không dùng được dịch vụ dữ liệu lỗ hổng / "
                f"the vulnerability service could not be used — {r.reason}"
            )
    statuses = {r.status for r in results}
    if VULNERABLE in statuses:
        code = EXIT[VULNERABLE]
        lines.append(
            "Kết quả: có lỗ hổng đã biết — nâng phiên bản trong pyproject.toml và tạo lại lock. / FAILED."
        )
    elif UNREACHABLE in statuses:
        code = EXIT_UNREACHABLE_REQUIRED if required else 0
        lines.append(
            "Kết quả: CHƯA kiểm tra lỗ hổng (dịch vụ không truy cập được) — "
            + (
                "bắt buộc (AUDIT_REQUIRED=1) nên dừng. / NOT AUDITED and required: FAILED."
                if required
                else "chỉ cảnh báo; đặt AUDIT_REQUIRED=1 ở nơi có mạng để bắt buộc. / NOT AUDITED: warning only."
            )
        )
    else:
        code = 0
        lines.append("Kết quả: không có lỗ hổng đã biết. / OK.")
    return "\n".join(lines), code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("locks", nargs="+")
    parser.add_argument("--service", default=os.environ.get("AUDIT_SERVICE") or "pypi,osv")
    parser.add_argument("--osv-url", default=os.environ.get("AUDIT_OSV_URL", ""))
    parser.add_argument(
        "--required",
        action="store_true",
        default=os.environ.get("AUDIT_REQUIRED", "") in ("1", "true", "yes"),
    )
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("AUDIT_TIMEOUT") or 300))
    args = parser.parse_args(argv)
    services = [s.strip() for s in args.service.split(",") if s.strip()]
    results = audit(args.locks, services, args.osv_url, args.timeout)
    text, code = render(results, args.required)
    print(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
