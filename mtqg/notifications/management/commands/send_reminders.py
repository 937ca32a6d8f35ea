from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mtqg.notifications.reminders import REMINDER_PROVIDERS, run_reminders


class Command(BaseCommand):
    help = "Gửi các nhắc việc đến hạn (hạn báo cáo, chứng nhận OCOP sắp hết hạn, kiến nghị quá hạn…)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="Ngày tính hạn (YYYY-MM-DD), mặc định hôm nay")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("Ngày không hợp lệ, dùng dạng YYYY-MM-DD.") from exc
        counts = run_reminders(today)
        for name in REMINDER_PROVIDERS:
            self.stdout.write(f"{name}: {counts.get(name, 0)} thông báo")
        self.stdout.write(f"Tổng cộng: {sum(counts.values())} thông báo mới ({today:%d/%m/%Y}).")
