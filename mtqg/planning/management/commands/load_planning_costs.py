from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mtqg.planning.costs import load_costs


class Command(BaseCommand):
    help = "Nạp bảng suất chi phí theo tiêu chí và hệ số vùng từ mtqg/planning/data/unit_costs.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Ghi đè cả các dòng đã sửa trong trang quản trị"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_costs(force=options["force"])
        self.stdout.write(f"Đã nạp {created} suất chi phí mới.")
