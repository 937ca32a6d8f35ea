from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from mtqg.core.backup import table_fingerprints


class Command(BaseCommand):
    help = "In số dòng và mã kiểm tra từng bảng (JSON) — dùng để đối chiếu sau khi khôi phục."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-checksums", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(table_fingerprints(checksums=not options["no_checksums"])))
