"""Render the dashboards' pages of one province (or every province) into the page cache (decision 0820)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mtqg.dashboards.warming import pages_warm
from mtqg.geo.models import UnitVersion


class Command(BaseCommand):
    help = "Làm nóng bộ nhớ đệm bảng điều khiển của một tỉnh (mã tỉnh) hoặc mọi tỉnh có dữ liệu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("codes", nargs="*", help="mã tỉnh (cấu trúc 2025); trống: mọi tỉnh")

    def handle(self, *args: Any, codes: list[str], **options: Any) -> None:
        provinces = UnitVersion.objects.filter(level=UnitVersion.Level.PROVINCE, structure="2025")
        if codes:
            provinces = provinces.filter(code__in=codes)
            if len(provinces) != len(set(codes)):
                raise CommandError("Không tìm thấy tỉnh có mã: " + ", ".join(codes))
        for province in provinces.order_by("code"):
            done = pages_warm(province.path)
            self.stdout.write(f"{province.code} {province.name}: {done['pages']} trang, {done['seconds']} s")
