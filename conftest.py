"""Load the real administrative units once per test database (both structures, lineage, schemes)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from mtqg.geo import demo as geo_demo
    from mtqg.geo.loader import load_admin_units, load_schemes
    from mtqg.geo.reference import load_ntm_regions

    with django_db_blocker.unblock():
        load_admin_units()
        load_schemes()
        load_ntm_regions()
        geo_demo.seed()


# Test tiers (decision 0030): these are marked `slow` here, in one place, by node-id prefix. `make test`
# and CI run everything on both databases; `make test-fast` (SQLite, `-m "not slow"`) is the daily loop.
SLOW = (
    "mtqg/browser_tests/",  # a real chromium against a server with its own database
    "mtqg/reliability_tests/test_api_fuzz.py",  # schemathesis over the whole schema
    "mtqg/reliability_tests/test_million_rows.py",
    "mtqg/reliability_tests/test_hostile_files.py",
    "mtqg/reliability_tests/test_scope_matrix.py",  # hundreds of requests per persona
    "mtqg/core/tests/test_backup.py",  # a whole backup and restore
    "mtqg/core/tests/test_crash.py",  # a worker killed mid-import, then re-run
    "mtqg/synthetic/tests/test_fresh_database.py",  # migrate + generate in a subprocess
    "mtqg/poverty/tests/test_benchmark.py",  # the import benchmark itself, on a small file
    "mtqg/dashboards/tests/test_rollups.py",  # a rebuild of every roll-up per class
    "mtqg/core/tests/test_core.py::SettingsTest::test_check_deploy_is_clean",  # a `check --deploy` subprocess
    "mtqg/reports/tests/test_writers.py::CommandTests",  # every catalogue slug in every format
    "mtqg/planning/tests/test_optimiser.py::BruteForceTest",
    "mtqg/geo/tests/test_importer.py::MillionRowTests",
)


# Tests that share an expensive per-worker setup run on one worker (`--dist loadgroup` in the Makefile): one
# browser server with its seeded database, one seeded demo for the persona walk — not one per worker.
XDIST_GROUPS = (
    ("mtqg/browser_tests/", "browser"),
    ("mtqg/reliability_tests/test_persona_walk.py", "persona_walk"),
)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith("mtqg/browser_tests/"):
            item.add_marker(pytest.mark.browser)
        for prefix, group in XDIST_GROUPS:
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))
