from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mtqg.workflow.calendar import load_calendars


class Command(BaseCommand):
    help = "Nạp lịch báo cáo, loại báo cáo và quy tắc kiểm tra từ mtqg/workflow/data/calendars.json"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", nargs="+", type=int, default=[2025, 2026])

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_calendars(options["years"])
        self.stdout.write(f"Đã nạp: {counts}")
