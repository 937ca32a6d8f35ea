"""`manage.py import_ocop_products FILE.xlsx [--dry-run]`: products, latest rating and a channel per row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.ocop.importer import HEADER, import_products


class Command(BaseCommand):
    help = "Nhập sản phẩm OCOP từ tệp Excel (cột: " + ", ".join(HEADER) + ")."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run", help="Kiểm tra, không ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        with open(options["path"], "rb") as fh:
            result = import_products(actor=None, content=fh, dry_run=options["dry_run"])
        for error in result.errors:
            self.stderr.write(error)
        summary = (
            f"Dòng: {result.rows}, sản phẩm mới: {result.products}, lần đánh giá: {result.ratings}, "
            f"kênh: {result.channels}"
        )
        if result.errors:
            raise CommandError(f"{len(result.errors)} dòng lỗi, không ghi gì. {summary}")
        self.stdout.write(("Chạy thử (không ghi): " if result.dry_run else "Đã ghi: ") + summary)
