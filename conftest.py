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
