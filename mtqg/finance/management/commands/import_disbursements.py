"""`manage.py import_disbursements FILE.xlsx [--dry-run]`: payments from an Excel statement, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.core.xlsx_import import NotAWorkbook
from mtqg.finance.importer import disbursements_import, read_rows


class Command(BaseCommand):
    help = "Nhập giải ngân từ tệp Excel sao kê (tất cả hoặc không dòng nào); --dry-run để kiểm tra trước."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["path"], "rb") as fh:
                rows = read_rows(fh)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}") from exc
        except NotAWorkbook as exc:
            raise CommandError("Tệp không phải bảng tính Excel (.xlsx) hợp lệ; không ghi dòng nào.") from exc
        except ValidationError as exc:  # too many rows (the message names the limit)
            raise CommandError(" ".join(exc.messages)) from exc
        result = disbursements_import(actor=None, rows=rows, dry_run=options["dry_run"])
        for line in result.errors:
            self.stdout.write(line)
        if result.errors:
            raise CommandError(f"{len(result.errors)} dòng lỗi trên {result.rows} dòng; không ghi dòng nào.")
        verb = "Sẽ ghi" if result.dry_run else "Đã ghi"
        self.stdout.write(f"{verb} {result.written}/{result.rows} lần giải ngân.")
