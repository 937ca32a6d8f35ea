from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mtqg.core.backup import backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp tải lên vào một thư mục, kèm manifest số dòng và mã kiểm tra."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="Thư mục đích (mặc định var/backups/<thời điểm>)")
        parser.add_argument(
            "--no-checksums", action="store_true", help="Chỉ đếm số dòng, không tính mã kiểm tra"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(
            options["output"] or Path(settings.VAR_DIR) / "backups" / timezone.now().strftime("%Y%m%d-%H%M%S")
        )
        try:
            manifest = backup_create(output, checksums=not options["no_checksums"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Đã sao lưu {len(manifest['tables'])} bảng, {rows:,} dòng vào {output}".replace(",", ".")
        )
