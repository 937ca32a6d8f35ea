from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.geo import importer


class Command(BaseCommand):
    help = "Nhập phân loại đơn vị từ CSV (scheme,unit_code,value,valid_from,valid_to,legal_basis,unconfirmed). Mặc định chỉ kiểm tra; thêm --commit để ghi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--commit", action="store_true", help="Ghi dữ liệu khi mọi dòng hợp lệ")

    def handle(self, *args: Any, **options: Any) -> None:
        with Path(options["file"]).open("rb") as fh:  # streamed: a huge file stops at importer.MAX_ROWS
            report = importer.parse(fh)
        for line, message in report.errors:
            self.stderr.write(f"Dòng {line}: {message}")
        if not report.ok:
            errors = max(report.error_count, len(report.errors))
            raise CommandError(f"{errors} lỗi trong {report.rows} dòng; không ghi dữ liệu nào.")
        if options["commit"]:
            self.stdout.write(f"Đã ghi {importer.commit(report)} dòng.")
        else:
            self.stdout.write(f"Kiểm tra xong: {report.rows} dòng hợp lệ. Chạy lại với --commit để ghi.")
