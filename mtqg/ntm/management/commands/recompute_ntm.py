from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.ntm.models import CriteriaSet
from mtqg.ntm.services import assessments_recompute, recognised_recompute


class Command(BaseCommand):
    help = "Tính lại trạng thái mọi đánh giá NTM theo một bộ tiêu chí (sau khi sửa ngưỡng) — tác vụ hệ thống."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", dest="code", help="Mã bộ tiêu chí, ví dụ qd318-1")
        parser.add_argument(
            "--recognised", metavar="YYYY-MM-DD", help="Đánh giá lại mọi xã đã công nhận đến ngày (giữ chuẩn)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("recognised"):
            try:
                on = date.fromisoformat(options["recognised"])
            except ValueError as exc:
                raise CommandError(f"Ngày không hợp lệ: {options['recognised']}") from exc
            self.stdout.write(f"Đã đánh giá lại {recognised_recompute(on=on)} xã đã công nhận.")
            return
        if not options.get("code"):
            raise CommandError("Cần --set <mã bộ tiêu chí> hoặc --recognised <ngày>.")
        cset = CriteriaSet.objects.filter(code=options["code"]).order_by("-version").first()
        if cset is None:
            raise CommandError(f"Không có bộ tiêu chí mã {options['code']}.")
        try:
            n = assessments_recompute(actor=None, criteria_set=cset)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã tính lại {n} đánh giá theo {cset.name}.")
