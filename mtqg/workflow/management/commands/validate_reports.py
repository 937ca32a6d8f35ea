import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.geo.selectors import UnitNotFound, unit_by_code
from mtqg.workflow.models import ReportType
from mtqg.workflow.validation import validate_batch


class Command(BaseCommand):
    help = "Kiểm tra số liệu theo lô (quy tắc chéo và giá trị bất thường) cho một tỉnh trong một năm"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", required=True, help="Mã loại báo cáo, ví dụ ntm_tien_do_quy")
        parser.add_argument("--unit", required=True, help="Mã tỉnh (GSO)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        rt = ReportType.objects.filter(code=options["type"]).first()
        if rt is None:
            raise CommandError(f"Không có loại báo cáo {options['type']}")
        try:
            province = unit_by_code(options["unit"], date(options["year"], 12, 31))
        except UnitNotFound as exc:
            raise CommandError(str(exc)) from exc
        data = validate_batch(None, rt, province, options["year"], system=True)
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        t = data["totals"]
        self.stdout.write(
            f"{province.name} {options['year']} — {rt.name}: {t['reports']} báo cáo, {t['errors']} lỗi, "
            f"{t['warnings']} cần rà soát, {t['clean']} không có vấn đề"
        )
        for row in data["rows"]:
            for m in row["errors"]:
                self.stdout.write(f"  LỖI  {row['unit_code']} {row['unit_name']} {row['period']}: {m}")
            for m in row["warnings"]:
                self.stdout.write(f"  RÀ SOÁT  {row['unit_code']} {row['unit_name']} {row['period']}: {m}")
