"""`manage.py erase_household <id|code> --reason "…" [--commit] [--by USERNAME]`: erase a household's personal
data on legal request (dry run unless --commit); see mtqg/poverty/erasure.py."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mtqg.accounts.models import User
from mtqg.poverty.erasure import household_erase
from mtqg.poverty.models import Household


class Command(BaseCommand):
    help = (
        "Xóa không phục hồi dữ liệu cá nhân của một hộ (tên, số định danh, ngày sinh của thành viên) theo yêu "
        "cầu hợp pháp; giữ phân loại, năm, đơn vị. Mặc định chạy thử; thêm --commit để ghi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("household", help="Mã số (id) hoặc mã hộ")
        parser.add_argument("--reason", required=True, help="Lý do, căn cứ yêu cầu xóa")
        parser.add_argument("--commit", action="store_true", help="Ghi thật (mặc định chỉ chạy thử)")
        parser.add_argument("--by", default="", help="Tên đăng nhập người thực hiện (ghi vào nhật ký)")

    def handle(self, *args: Any, **options: Any) -> None:
        key = str(options["household"]).strip()
        household = Household.objects.filter(code=key).first()
        if household is None and key.isdigit():
            household = Household.objects.filter(pk=int(key)).first()
        if household is None:
            raise CommandError(f"Không tìm thấy hộ '{key}'.")
        actor = None
        if options["by"]:
            actor = User.objects.filter(username=options["by"], is_active=True).first()
            if actor is None:
                raise CommandError(f"Không tìm thấy người dùng '{options['by']}'.")
        try:
            report = household_erase(
                actor=actor, household=household, reason=options["reason"], commit=options["commit"]
            )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(" ".join(messages)) from exc
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if report.committed:
            self.stdout.write(f"Đã xóa dữ liệu cá nhân của hộ {report.code}; đã ghi nhật ký thay đổi.")
        else:
            self.stdout.write("Chạy thử: chưa ghi gì. Thêm --commit để xóa thật (không phục hồi được).")
