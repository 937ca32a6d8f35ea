"""Background jobs of the ntm app (listed in mtqg/core/jobs.py JOB_HANDLERS)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from mtqg.core.jobs import JobContext

from .models import CriteriaSet
from .services import assessments_recompute


def recompute_job(ctx: JobContext, **params: Any) -> dict[str, Any]:
    """Recompute the statuses of every assessment of one criteria set in the actor's scope."""
    cset = CriteriaSet.objects.get(pk=params["criteria_set_id"])
    ctx.progress(1, _("Đang tính lại trạng thái theo %(set)s…") % {"set": cset.name})
    n = assessments_recompute(actor=ctx.actor, criteria_set=cset, progress=ctx.progress)
    return {
        _("Bộ tiêu chí"): cset.name,
        _("Số đánh giá đã tính lại"): n,
        "url": reverse("ntm:criteria_set", args=[cset.pk]),
    }
