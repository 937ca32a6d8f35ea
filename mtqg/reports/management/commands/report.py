import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from mtqg.reports.catalog import CATALOG, run_report
from mtqg.reports.params import parse_params
from mtqg.reports.writers import render_report


class Command(BaseCommand):
    help = "Chạy một báo cáo theo mã (slug) và in ra JSON hoặc ghi tệp XLSX/DOCX/PDF."
    requires_system_checks: list[str] = []  # a report needs no URL/template checks; keeps it fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="Mã báo cáo: " + ", ".join(sorted(CATALOG)))
        parser.add_argument("--unit", required=True, help="Mã đơn vị hành chính (GSO)")
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--year")
        parser.add_argument("--baseline")
        parser.add_argument("--bands")
        parser.add_argument("--include-carry-over", action="store_true", dest="include_carry_over")
        parser.add_argument("--format", default="json", choices=["json", "xlsx", "docx", "pdf"])
        parser.add_argument("--output", help="Tệp đầu ra (mặc định: stdout cho JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        if slug not in CATALOG:
            raise CommandError(f"Không có báo cáo '{slug}'. Có: {', '.join(sorted(CATALOG))}")
        try:
            params = parse_params(options)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        if options["format"] != "json" and not options["output"]:
            raise CommandError("Định dạng xlsx/docx/pdf cần tham số --output <tệp>.")
        try:
            report = run_report(slug, None, params)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["format"] != "json":
            with open(options["output"], "wb") as fh:
                fh.write(render_report(report, options["format"]))
            return
        text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2, cls=DjangoJSONEncoder)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        else:
            sys.stdout.write(text + "\n")
