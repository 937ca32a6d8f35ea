"""Foundation benchmarks: loading the administrative units, and a provincial officer's scoped unit list.

The scoped list has no timed baseline: `visible_to` is already the one path-prefix query a competent Django
developer would write, and the former baseline (every unit loaded and filtered in Python) flattered it by two
orders of magnitude (decision 0845). The Python filter stays as a check that both give the same units."""

from __future__ import annotations

from typing import Any

from benchmarks.common import result, timed


def run(scale: str) -> list[dict[str, Any]]:
    from mtqg.geo.loader import load_admin_units
    from mtqg.geo.models import UnitVersion
    from mtqg.testing import make_world

    rerun = timed(
        load_admin_units, warmup=False
    )  # idempotent re-runs on the already-loaded database, 5 times
    world = make_world()
    user = world.dien_bien_officer

    def scoped() -> int:
        return len(list(UnitVersion.objects.visible_to(user).values_list("pk", flat=True)))

    def naive() -> int:
        from mtqg.core.scoping import view_prefixes

        prefixes = view_prefixes(user)
        return len([u.pk for u in UnitVersion.objects.all() if u.path.startswith(prefixes)])

    assert scoped() == naive()  # the same units as the plain Python reading of the scope
    t_scoped = timed(scoped)
    world.central.delete()
    for u in (world.dien_bien_officer, world.commune_officer, world.cao_bang_officer, world.supervisor):
        u.delete()
    return [
        result("geo.load_admin_units_rerun", rerun, "s", target=30.0),
        result("geo.scoped_unit_list_province", t_scoped, "s"),
    ]
