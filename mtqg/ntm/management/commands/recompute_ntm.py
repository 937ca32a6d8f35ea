from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.ntm.models import CriteriaSet
from mtqg.ntm.services import assessments_recompute


class Command(BaseCommand):
    help = "Tính lại trạng thái mọi đánh giá NTM theo một bộ tiêu chí (sau khi sửa ngưỡng) — tác vụ hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="code", required=True, help="Mã bộ tiêu chí, ví dụ qd318-1")

    def handle(self, *args: Any, **options: Any) -> None:
        cset = CriteriaSet.objects.filter(code=options["code"]).order_by("-version").first()
        if cset is None:
            raise CommandError(f"Không có bộ tiêu chí mã {options['code']}.")
        try:
            n = assessments_recompute(actor=None, criteria_set=cset)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã tính lại {n} đánh giá theo {cset.name}.")
