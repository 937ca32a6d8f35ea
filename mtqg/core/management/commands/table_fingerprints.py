from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from mtqg.core.backup import table_fingerprints


class Command(BaseCommand):
    help = "In số dòng và mã kiểm tra từng bảng (JSON) — dùng để đối chiếu sau khi khôi phục."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-checksums", action="store_true")
        parser.add_argument(
            "--snapshot", default="", help="PostgreSQL: đọc trong snapshot đã xuất (pg_export_snapshot)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checksums = not options["no_checksums"]
        if not options["snapshot"]:
            self.stdout.write(json.dumps(table_fingerprints(checksums=checksums)))
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [options["snapshot"]])
            self.stdout.write(json.dumps(table_fingerprints(checksums=checksums)))
