"""`generate_synthetic` on a database that has only its tables: it loads the units itself, no IntegrityError."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_generate_on_a_fresh_database_loads_the_units_first() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mtqg.settings",
            "DATABASE_URL": f"sqlite:///{tmp}/fresh.sqlite3",
            "VAR_DIR": tmp,
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        done = subprocess.run(
            [*manage, "generate_synthetic", "--scale", "tiny", "--json"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "load_admin_units" in done.stderr  # says what it did
    counts = json.loads(done.stdout.strip().splitlines()[-1])["counts"]
    assert counts["households"] > 0
    assert counts["ntm_assessments"] > 0
