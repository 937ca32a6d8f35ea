"""`generate_synthetic` on a database that has only its tables: it loads the units itself, no IntegrityError.

The database is a copy of the run's freshly migrated one (mtqg/testdb.py, decision 0825), on the suite's database
(a SQLite file, or a new PostgreSQL database): the same tables `manage.py migrate` makes, without migrating again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from mtqg import testdb

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_generate_on_a_fresh_database_loads_the_units_first(
    django_db_setup: None, django_db_blocker: Any
) -> None:
    name = f"mtqg_fresh_{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp, django_db_blocker.unblock():
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mtqg.settings",
            "DATABASE_URL": testdb.database_url("schema", name, Path(tmp)),
            "VAR_DIR": tmp,
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        done = subprocess.run(
            [*manage, "generate_synthetic", "--scale", "tiny", "--json"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        testdb.drop(name)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "load_admin_units" in done.stderr  # says what it did
    counts = json.loads(done.stdout.strip().splitlines()[-1])["counts"]
    assert counts["households"] > 0
    assert counts["ntm_assessments"] > 0
