"""The demo world: units' classifications, users, then each program app's demo data, in order."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils.module_loading import import_string

from mtqg.accounts import demo as accounts_demo
from mtqg.accounts.demo import DEMO_PASSWORD

# Explicit order; each entry is "module:function" returning nothing or a count.
DEMO_STEPS: list[str] = [
    "mtqg.geo.demo:seed",
    "mtqg.ntm.demo:seed",
    "mtqg.ntm.demo_authoring:seed",
    "mtqg.poverty.demo:seed",
    "mtqg.finance.demo:seed",
    "mtqg.ocop.demo:seed",
    "mtqg.workflow.demo:seed",
    "mtqg.survey.demo:seed",
    "mtqg.supervision.demo:seed",
    "mtqg.planning.demo:seed",
    "mtqg.dashboards.demo:seed",
]


def _load(name: str) -> Callable[[], Any]:
    return import_string(name.replace(":", "."))  # "package.module:function"


def seed_all(stdout: Any = None) -> list[str]:
    lines: list[str] = []
    for step in DEMO_STEPS:
        started = time.monotonic()
        _load(step)()
        if stdout is not None:
            stdout.write(f"  {step}: {time.monotonic() - started:.1f} giây")
    users = accounts_demo.seed()
    lines.append("")
    lines.append(f"Tài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD}):")
    lines.extend(f"  {username:<16} {desc}" for username, desc in users)
    return lines
