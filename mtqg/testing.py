"""The test world: real units (loaded once per test database by conftest) and personas.

Personas: central officer (whole country), Điện Biên officer, a commune officer in Điện Biên (Mường Phăng),
a Cao Bằng officer, and a supervisor over Điện Biên.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from mtqg.accounts.models import Assignment, User
from mtqg.geo.models import UnitVersion

PASSWORD = "Test-password-2026"


def unit(structure: str, level: int, code: str) -> UnitVersion:
    return UnitVersion.objects.get(structure=structure, level=level, code=code)


def make_user(
    username: str, role: str, unit_version: UnitVersion, access: str = Assignment.Access.ENTRY
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    Assignment.objects.create(user=user, role=role, unit=unit_version, access=access)
    return user


@dataclass
class World:
    country: UnitVersion
    dien_bien: UnitVersion  # 2025 version; scope covers the pre-2025 version too
    dien_bien_old: UnitVersion
    cao_bang: UnitVersion
    cao_bang_old: UnitVersion
    muong_phang: UnitVersion  # 2025 commune in Điện Biên
    central: User
    dien_bien_officer: User
    commune_officer: User
    cao_bang_officer: User
    supervisor: User


def make_world() -> World:
    country = unit("national", 0, "VN")
    dien_bien = unit("2025", 1, "11")
    cao_bang = unit("2025", 1, "04")
    muong_phang = unit("2025", 3, "03325")
    return World(
        country=country,
        dien_bien=dien_bien,
        dien_bien_old=unit("pre2025", 1, "11"),
        cao_bang=cao_bang,
        cao_bang_old=unit("pre2025", 1, "04"),
        muong_phang=muong_phang,
        central=make_user("central", Assignment.Role.CENTRAL, country),
        dien_bien_officer=make_user("db_officer", Assignment.Role.PROVINCE, dien_bien),
        commune_officer=make_user("db_commune", Assignment.Role.COMMUNE, muong_phang),
        cao_bang_officer=make_user("cb_officer", Assignment.Role.PROVINCE, cao_bang),
        supervisor=make_user("supervisor", Assignment.Role.SUPERVISOR, dien_bien, Assignment.Access.VIEW),
    )


def guard_provinces(world: World) -> tuple[tuple[UnitVersion, str], ...]:
    """The two provinces of the scope guard's sample rows (pre-2025 units) with the marker each one's rows carry."""
    return ((world.dien_bien_old, "GUARD-ĐB"), (world.cao_bang_old, "GUARD-CB"))


def image_bytes(fmt: str = "PNG") -> bytes:
    """A real 4×4 image (PNG, JPEG or WEBP) for upload tests: photos are read with Pillow, not by their first bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()
