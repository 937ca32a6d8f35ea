"""Rebuild the review tallies from the reviews, or check that they agree (`--check` exits 1 on a difference)."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from mtqg.poverty.tally import tally_check, tally_refresh


class Command(BaseCommand):
    help = _("Tính lại bảng tổng hợp rà soát hộ nghèo từ kết quả rà soát (--check: chỉ kiểm tra).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help=_("Chỉ so sánh, không ghi."))

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["check"]:
            diffs = tally_check()
            if diffs:
                self.stdout.write(json.dumps(diffs[:20], ensure_ascii=False, default=str))
                raise CommandError(
                    _("Bảng tổng hợp lệch với kết quả rà soát ở %(n)s nhóm.") % {"n": len(diffs)}
                )
            self.stdout.write(_("Bảng tổng hợp khớp với kết quả rà soát."))
            return
        with transaction.atomic():
            rows = tally_refresh()
        self.stdout.write(
            _("Đã tính lại %(n)s dòng tổng hợp trong %(s).1f giây.")
            % {"n": rows, "s": time.monotonic() - started}
        )
