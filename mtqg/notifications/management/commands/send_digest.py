from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mtqg.notifications.services import digest_send


class Command(BaseCommand):
    help = "Gửi thư tổng hợp thông báo chưa gửi cho người dùng chọn chế độ tổng hợp hằng ngày."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Đã gửi {digest_send()} thư tổng hợp.")
