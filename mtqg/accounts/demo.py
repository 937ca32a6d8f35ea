"""Demo users for every role (printed by `make demo`). Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db import transaction

from mtqg.geo.models import UnitVersion

from .models import Assignment, User

DEMO_PASSWORD = "Mtqg@2026demo"  # noqa: S105 — demo only, printed on screen


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    unit: tuple[str, int, str]  # (structure, level, code)
    access: str = Assignment.Access.ENTRY
    permissions: tuple[
        str, ...
    ] = ()  # "app_label.codename" rights beyond the role (e.g. NTM provincial sets)


DEMO_USERS = [
    DemoUser("admin", "Quản trị hệ thống", Assignment.Role.ADMIN, ("national", 0, "VN")),
    DemoUser(
        "trunguong",
        "Cán bộ Văn phòng Điều phối Trung ương",
        Assignment.Role.CENTRAL,
        ("national", 0, "VN"),
        permissions=("ntm.acknowledge_provincial_set",),
    ),
    DemoUser(
        "dienbien",
        "Cán bộ Văn phòng Điều phối tỉnh Điện Biên",
        Assignment.Role.PROVINCE,
        ("2025", 1, "11"),
        permissions=("ntm.author_provincial_set",),
    ),
    DemoUser("xa.muongphang", "Cán bộ UBND xã Mường Phăng", Assignment.Role.COMMUNE, ("2025", 3, "03325")),
    DemoUser(
        "caobang", "Cán bộ Văn phòng Điều phối tỉnh Cao Bằng", Assignment.Role.PROVINCE, ("2025", 1, "04")
    ),
    # created with the survey demo's Mường Phăng 2025 campaign (its village "Bản Khá"); skipped without it
    DemoUser(
        "dieutravien",
        "Lò Văn Điều (điều tra viên bản Khá, Co Thón)",
        Assignment.Role.ENUMERATOR,
        ("2025", 4, "03325-01"),
    ),
    DemoUser(
        "giamsat",
        "Thành viên Đoàn giám sát",
        Assignment.Role.SUPERVISOR,
        ("national", 0, "VN"),
        Assignment.Access.VIEW,
    ),
]


@transaction.atomic
def seed() -> list[tuple[str, str]]:
    """Create the demo users; returns (username, description) for printing."""
    printed = []
    for demo in DEMO_USERS:
        structure, level, code = demo.unit
        unit = UnitVersion.objects.filter(structure=structure, level=level, code=code).first()
        if unit is None:  # a unit made by a later demo step (a village)
            continue
        user, created = User.objects.get_or_create(
            username=demo.username, defaults={"full_name": demo.full_name}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = demo.role == Assignment.Role.ADMIN
            user.save()
        Assignment.objects.get_or_create(
            user=user, role=demo.role, unit=unit, defaults={"access": demo.access}
        )
        for perm in demo.permissions:
            app_label, codename = perm.split(".")
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        printed.append((demo.username, f"{Assignment.Role(demo.role).label} — {unit.name}"))
    return printed
