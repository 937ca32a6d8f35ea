from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from mtqg.core.jobs import jobs_recover


class Command(BaseCommand):
    help = (
        "Đưa lại vào hàng đợi các công việc nền bị gián đoạn: tiến trình chạy đã mất tín hiệu sống "
        "(jobs_worker cũng tự chạy việc này mỗi phút)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--stale-seconds",
            type=int,
            default=900,
            help="Chỉ cho công việc cũ chưa ghi tiến trình chạy: coi là gián đoạn sau số giây này",
        )
        parser.add_argument("--max-attempts", type=int, default=3)
        parser.add_argument(
            "--retries", type=int, default=10, help="Số lần thử lại khi cơ sở dữ liệu đang khóa"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = jobs_recover(
                stale_after=timedelta(seconds=options["stale_seconds"]),
                max_attempts=options["max_attempts"],
                retries=options["retries"],
            )
        except OperationalError as exc:
            raise CommandError(
                f"Cơ sở dữ liệu đang bận (khóa) sau {options['retries']} lần thử; chưa phục hồi được. "
                f"Hãy chạy lại sau ít phút. ({exc})"
            ) from exc
        self.stdout.write(f"Đưa lại hàng đợi: {outcome['requeued']}; dừng hẳn: {outcome['failed']}.")
