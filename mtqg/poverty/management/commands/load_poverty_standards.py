from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mtqg.poverty.standards import DATA_FILE, load_standards


class Command(BaseCommand):
    help = "Nạp chuẩn nghèo (quốc gia và địa phương) từ tệp dữ liệu có căn cứ pháp lý."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DATA_FILE))

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_standards(Path(options["file"]))
        self.stdout.write(f"Đã nạp {count} chuẩn nghèo.")
