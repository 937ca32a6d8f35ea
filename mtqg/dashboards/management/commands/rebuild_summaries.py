"""manage.py rebuild_summaries [--unit CODE] [--pending]: recompute the dashboards' summary facts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date

from mtqg.geo.selectors import UnitNotFound, unit_by_code

from ...services import summaries_rebuild, summaries_refresh_pending


class Command(BaseCommand):
    help = "Tính lại số liệu tổng hợp cho bảng điều khiển (toàn quốc hoặc một đơn vị)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", help="Mã đơn vị (mặc định: toàn quốc)")
        parser.add_argument("--as-of", dest="as_of", help="Ngày để xác định đơn vị theo mã (YYYY-MM-DD)")
        parser.add_argument("--pending", action="store_true", help="Chỉ tính lại các đơn vị đang chờ")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["pending"]:
            n = summaries_refresh_pending()
            self.stdout.write(f"Đã tính lại {n} đơn vị chờ.")
            return
        unit = None
        if opts.get("unit"):
            try:
                on = parse_date(opts["as_of"]) if opts.get("as_of") else timezone.localdate()
            except ValueError:
                on = None
            if on is None:
                raise CommandError("Ngày không hợp lệ (định dạng YYYY-MM-DD).")
            try:
                unit = unit_by_code(opts["unit"], on)
            except UnitNotFound as exc:
                raise CommandError(str(exc)) from exc
        result = summaries_rebuild(actor=None, unit=unit)
        self.stdout.write(
            f"Đã ghi {result['facts']} số liệu tổng hợp và {result['rollups']} dòng cộng sẵn trong "
            f"{result['seconds']} giây (cộng sẵn: {result['rollup_seconds']} giây)."
        )
