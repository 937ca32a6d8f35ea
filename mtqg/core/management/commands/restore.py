from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mtqg.core.backup import backup_restore


class Command(BaseCommand):
    help = "Khôi phục một bản sao lưu vào cơ sở dữ liệu trống và kiểm tra số dòng, mã kiểm tra từng bảng."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="Thư mục sao lưu (có manifest.json)")
        parser.add_argument(
            "--target-url",
            help="DATABASE_URL của cơ sở dữ liệu đích (trống); mặc định DATABASE_URL hiện hành",
        )
        parser.add_argument("--media-root", help="Thư mục tệp tải lên đích (mặc định MEDIA_ROOT)")
        parser.add_argument("--no-verify", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["target_url"] or os.environ.get("DATABASE_URL") or settings.DATABASE_URL
        try:
            outcome = backup_restore(
                Path(options["source"]),
                target_url=target,
                media_root=Path(options["media_root"] or settings.MEDIA_ROOT),
                verify=not options["no_verify"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if outcome["mismatches"]:
            raise CommandError(
                "Khôi phục xong nhưng lệch dữ liệu ở các bảng: " + ", ".join(outcome["mismatches"])
            )
        self.stdout.write(
            f"Đã khôi phục và kiểm tra {outcome['tables']} bảng, {outcome['rows']:,} dòng: khớp.".replace(
                ",", "."
            )
        )
