from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mtqg.ntm.loader import load_all


class Command(BaseCommand):
    help = "Nạp các bộ tiêu chí NTM và đề án từ mtqg/ntm/data/ (chạy lại không tạo trùng)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Nạp lại cả tệp không thay đổi")

    def handle(self, *args: Any, **options: Any) -> None:
        changed = load_all(force=options["force"])
        if changed:
            self.stdout.write("Đã nạp: " + ", ".join(changed))
        else:
            self.stdout.write("Không có thay đổi.")
