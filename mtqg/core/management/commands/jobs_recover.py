from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand

from mtqg.core.jobs import jobs_recover


class Command(BaseCommand):
    help = "Đưa lại vào hàng đợi các công việc nền bị gián đoạn (tiến trình chạy đã dừng đột ngột)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--stale-seconds", type=int, default=900, help="Coi là gián đoạn sau số giây này")
        parser.add_argument("--max-attempts", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = jobs_recover(
            stale_after=timedelta(seconds=options["stale_seconds"]), max_attempts=options["max_attempts"]
        )
        self.stdout.write(f"Đưa lại hàng đợi: {outcome['requeued']}; dừng hẳn: {outcome['failed']}.")
