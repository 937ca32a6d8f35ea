"""Background job: render a catalog report to a file for the user who asked (`supervision.render_report`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.formatting import number_vi
from mtqg.core.jobs import JobContext

from . import reporting
from .models import RenderedReport


def render_report(ctx: JobContext, *, slug: str, params: dict[str, Any], fmt: str) -> dict[str, Any]:
    if ctx.actor is None:
        raise ValidationError(_("Công việc này cần người yêu cầu."))
    ctx.progress(5, _("Đang kiểm tra tham số"))
    run = reporting.prepare(ctx.actor, slug, params)
    ctx.progress(15, _("Đang tổng hợp số liệu"))
    data = reporting.compute(ctx.actor, run)
    ctx.progress(60, _("Đang dựng tệp %(fmt)s") % {"fmt": fmt.upper()})
    content = reporting.render_file(run, data, fmt)
    rendered = RenderedReport.objects.create(
        owner=ctx.actor,
        report=slug,
        unit=run.params.unit,
        params=run.raw,
        fmt=fmt,
        content=content,
        filename=run.filename(fmt),
    )
    ctx.progress(100, _("Xong"))
    return {
        str(_("Báo cáo")): run.title,
        str(_("Tệp")): rendered.filename,
        str(_("Dung lượng")): f"{number_vi(len(content) / 1024, 1)} KB",
        "url": reverse("supervision:rendered", args=[rendered.pk]),
    }
