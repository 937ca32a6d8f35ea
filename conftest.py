"""The test databases: migrated and loaded with the real administrative units once per run, then copied (decision
0825, mtqg/testdb.py); the test tiers and the xdist groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling


def pytest_configure(config: pytest.Config) -> None:
    from mtqg import testdb

    testdb.start_run()


@pytest.hookimpl(tryfirst=True)  # before pytest-django's own unconfigure
def pytest_unconfigure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller cleans up once every worker is done
    from pytest_django.plugin import blocking_manager_key

    from mtqg import testdb

    if blocking_manager_key in config.stash:
        with config.stash[blocking_manager_key].unblock():
            testdb.cleanup()
    else:
        testdb.cleanup()


@pytest.fixture(scope="session")
def django_db_setup(  # type: ignore[no-untyped-def]
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
) -> Iterator[None]:
    """pytest-django's fixture, with the real units loaded; the first worker of the run builds the test database
    (migrate, then the units) and saves it as the run's templates, the others copy it."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from mtqg import testdb
    from mtqg.geo import demo as geo_demo
    from mtqg.geo.loader import load_admin_units, load_schemes
    from mtqg.geo.reference import load_ntm_regions

    verbosity = request.config.option.verbose
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    aliases = aliases or {"default"}  # the browser server and the fresh-database test copy its templates
    keepdb = django_db_keepdb and not django_db_createdb
    # --reuse-db and --no-migrations keep pytest-django's own way (no templates)
    shared = django_db_use_migrations and not keepdb and aliases == {"default"} and not serialized_aliases
    if not django_db_use_migrations:
        _disable_migrations()
    with django_db_blocker.unblock(), testdb.run_lock():
        if shared and testdb.has("units"):
            db_cfg = testdb.test_db_from("units")
        else:
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized_aliases,
                keepdb=keepdb,
            )
            if shared:
                testdb.save("schema")
            load_admin_units()
            load_schemes()
            load_ntm_regions()
            geo_demo.seed()
            if shared:
                testdb.save("units")
    yield
    if not keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=verbosity)


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
# browser server with its seeded database, one seeded demo for the persona walk — not one per worker. Every other
# test class is one unit too, so that one worker pays its setUpTestData (the demo seeds). The scheduler below groups
# by node id (decision 0840): pytest-xdist's own loadgroup renames items to carry their `xdist_group` mark, which
# pytest 9 ignores (it reads `_id`, xdist sets `_nodeid`), so every test was sent on its own — two browser servers,
# two walk seeds, a class's seed on both workers.
XDIST_GROUPS = (
    ("mtqg/browser_tests/", "browser"),
    ("mtqg/reliability_tests/test_persona_walk.py", "persona_walk"),
)


class GroupScheduling(LoadScopeScheduling):
    """`--dist loadgroup`: one work unit per group above, per test class, or per test function; the largest units
    go first (xdist's loadscope order), the single tests last, so both workers end together."""

    def _split_scope(self, nodeid: str) -> str:
        for prefix, group in XDIST_GROUPS:
            if nodeid.startswith(prefix):
                return group
        base = nodeid.split("[", 1)[0]  # parameters may hold anything
        if base.count("::") >= 2:  # path::Class::test
            return base.rsplit("::", 1)[0]
        return nodeid


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # before xdist's own; absent under `-p no:xdist`
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> GroupScheduling | None:
    if config.getvalue("dist") == "loadgroup":
        return GroupScheduling(config, log)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
        if item.nodeid.startswith("mtqg/browser_tests/"):
            item.add_marker(pytest.mark.browser)
