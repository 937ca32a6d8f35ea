"""`manage.py generate_synthetic --scale {tiny,province,national} --seed N`: the deterministic synthetic country."""

from __future__ import annotations

import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from mtqg.geo.models import UnitVersion
from mtqg.synthetic.generator import SCALES, generate, load_profile


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "Sinh dữ liệu tổng hợp (xác định theo seed) trên đơn vị hành chính thật: NTM, hộ nghèo, vốn, báo cáo."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=SCALES, default="tiny")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="In thống kê dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["json"] or options["verbosity"] == 0
        if (
            load_profile()["scales"][options["scale"]].get("postgresql_only")
            and connection.vendor != "postgresql"
        ):
            raise CommandError(
                _(
                    "Quy mô %(scale)s chỉ chạy trên PostgreSQL (DATABASE_URL=postgresql://…): khoảng 27 triệu hộ "
                    "được sinh ngay trong máy chủ cơ sở dữ liệu (INSERT … SELECT); SQLite không làm được trong 30 phút."
                )
                % {"scale": options["scale"]}
            )
        if not UnitVersion.objects.exists():
            # the generator draws on the real units: a fresh database gets them first instead of an IntegrityError
            self.stderr.write(_("Chưa có đơn vị hành chính: đang nạp trước (manage.py load_admin_units)…"))
            call_command("load_admin_units", verbosity=0)
        stats = generate(
            options["scale"],
            options["seed"],
            progress=None if quiet else (lambda m: self.stdout.write(m)),
        )
        payload = {"scale": options["scale"], "seed": options["seed"], "counts": dict(stats.counts),
                   "seconds": stats.seconds}  # fmt: skip
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
