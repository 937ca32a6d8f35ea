"""Running catalog reports for the screens: parameters from a form, scope check, JSON-safe data, files, sign-off."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from mtqg.core.scoping import path_visible
from mtqg.reports.catalog import CATALOG, get_report
from mtqg.reports.labels import REPORT_TITLES
from mtqg.reports.params import ReportParams, parse_params
from mtqg.reports.writers import FORMATS, render

log = logging.getLogger(__name__)
PARAM_KEYS = ("unit", "year", "as_of", "baseline", "bands", "include_carry_over")
# Reports whose files are always made by a background job (with progress), and formats that always are.
LARGE_REPORTS = {"briefing"}
JOB_FORMATS = {"pdf"}


@dataclass
class Run:
    slug: str
    raw: dict[str, str]
    params: ReportParams

    @property
    def title(self) -> str:
        return str(REPORT_TITLES.get(self.slug, self.slug))

    def filename(self, fmt: str) -> str:
        period = self.raw.get("as_of") or self.raw.get("year") or ""
        return f"{self.slug}-{self.params.unit.code}{'-' + period if period else ''}.{fmt}"

    def needs_job(self, fmt: str) -> bool:
        return self.slug in LARGE_REPORTS or fmt in JOB_FORMATS


def catalog_choices() -> list[tuple[str, str]]:
    return sorted(((slug, str(REPORT_TITLES.get(slug, slug))) for slug in CATALOG), key=lambda c: c[1])


def prepare(user: Any, slug: str, raw: dict[str, Any]) -> Run:
    """Validate the report and its parameters; ValidationError (Vietnamese, per field) when wrong or out of scope."""
    if slug not in CATALOG:
        raise ValidationError({"slug": _("Không có báo cáo này.")})
    clean = {k: str(raw.get(k) or "").strip() for k in PARAM_KEYS if str(raw.get(k) or "").strip()}
    params = parse_params(clean)
    if user is not None and not path_visible(user, params.unit.path):
        raise ValidationError({"unit": _("Đơn vị nằm ngoài phạm vi bạn được xem.")})
    return Run(slug=slug, raw=clean, params=params)


def compute(user: Any, run: Run) -> Any:
    """The report's data, JSON-safe (dates as ISO strings) — what is previewed, rendered and signed. A report that
    fails for another reason than bad input is logged and reported as a Vietnamese ValidationError (no trace)."""
    try:
        data = get_report(run.slug)(user, run.params)
    except ValidationError:
        raise
    except Exception as exc:
        log.exception("report %s failed", run.slug)
        raise ValidationError(
            _("Không lập được báo cáo này với các tham số đã chọn; lỗi đã được ghi nhận để xử lý.")
        ) from exc
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def render_file(run: Run, data: Any, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Định dạng không được hỗ trợ.")})
    return render(run.slug, data, fmt)


def ensure_complete(data: Any) -> None:
    """A report with a section that failed (see briefing `failed`) may be previewed but not signed off."""
    failed = data.get("failed") if isinstance(data, dict) else None
    if failed:
        raise ValidationError(
            _("Không thể ký duyệt: một số phần chưa lấy được số liệu (%(s)s). Vui lòng thử lại sau.")
            % {"s": ", ".join(failed)}
        )
