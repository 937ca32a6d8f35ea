"""`manage.py load_programs`: programs, disbursement deadlines, alert rules and indicators from mtqg/finance/data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mtqg.finance.loader import load_programs


class Command(BaseCommand):
    help = "Nạp cấu trúc chương trình, thời hạn giải ngân, quy tắc cảnh báo và chỉ tiêu từ mtqg/finance/data."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_programs()
        self.stdout.write(
            f"Đã nạp {counts['programs']} chương trình/dự án, {counts['deadlines']} thời hạn, "
            f"{counts['rules']} quy tắc, {counts['indicators']} chỉ tiêu."
        )
