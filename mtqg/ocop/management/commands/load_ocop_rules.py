"""`manage.py load_ocop_rules`: load the OCOP rating rules, groups and program targets (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mtqg.ocop.rules import load_rules


class Command(BaseCommand):
    help = "Nạp bộ tiêu chí, thang sao, nhóm sản phẩm và chỉ tiêu chương trình OCOP từ mtqg/ocop/data/rules.json."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_rules()
        self.stdout.write(
            f"Bộ tiêu chí: {result['rulesets']}, nhóm sản phẩm: {result['groups']}, "
            f"chỉ tiêu: {result['targets']}, dòng mới: {result['created']}"
        )
