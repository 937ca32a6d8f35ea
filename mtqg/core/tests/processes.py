"""Management commands in their own process, as an operator runs them (backup, restore, settings checks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manage(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """`python manage.py *args` from the repository root under the production settings module, with `env` over
    this process's environment; the caller checks the return code and reads stdout/stderr."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "mtqg.settings", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
