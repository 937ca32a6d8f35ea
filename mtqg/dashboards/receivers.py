"""Incremental refresh: every service writes a ChangeRecord in its transaction; the receiver marks the unit
(in the same transaction, so the mark is durable) and refreshes its facts once the transaction commits — in the
writer's own thread, or, after a committed poverty import batch (a whole subtree, ≈ 1 s at province scale), in a
background job `dashboards.refresh` (decision 0831): the import returns as soon as the register is committed, and
the dashboards show their as-of until the job has run."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from mtqg.core.jobs import job_enqueue
from mtqg.core.models import ChangeRecord

from .models import FactsStamp, PendingRefresh
from .services import stamp_prefix, stamps_bump, summaries_refresh

log = logging.getLogger(__name__)

SOURCE_APPS = frozenset({"ntm", "poverty", "finance", "supervision", "ocop", "workflow"})
# Records whose facts sit on the record's own unit: a change to one of them refreshes that unit only. Any other
# change (an import batch, a workflow report) refreshes the unit's whole subtree.
ROW_MODELS = frozenset(
    {
        "ntm.assessment",
        "ntm.indicatorvalue",
        "ntm.criterionresult",
        "ntm.criterionoverride",
        "ntm.recognition",
        "ntm.digitalinfrastructure",
        "poverty.review",
        "poverty.household",
        "poverty.member",
        "finance.capitalplan",
        "finance.allocation",
        "finance.disbursement",
        "finance.work",
        "finance.workprogress",
        "finance.indicatorvalue",
        "finance.indicatortarget",
        "supervision.mission",
        "supervision.recommendation",
        "supervision.followup",
        "supervision.finding",
        "ocop.product",
        "ocop.rating",
    }
)

JOB_MODELS = frozenset({"poverty.importbatch"})  # committed: refreshed by a job after the commit (0831)


def _warm(path: str) -> None:
    """Enqueue the warming of the refreshed province's pages (decision 0820); the job skips itself when a later
    refresh moved the stamp on (that refresh enqueued its own)."""
    if not getattr(settings, "DASHBOARDS_WARM", False):
        return
    version = FactsStamp.objects.filter(path=stamp_prefix(path)).values_list("version", flat=True).first()
    try:
        job_enqueue(actor=None, kind="dashboards.warm", params={"path": path, "version": version})
    except Exception:  # a reader then computes the page as before
        log.exception("page warming not enqueued for %s", path)


def _refresh(path: str) -> None:
    try:
        summaries_refresh(path)
        _warm(path)
    except Exception:  # the mark stays; `rebuild_summaries --pending` retries
        log.exception("summary refresh failed for %s", path)
        try:
            stamps_bump([path])  # cached dashboards are redrawn, now showing "đang cập nhật"
        except Exception:
            log.exception("stamp bump failed for %s", path)


def refresh_job(ctx: Any, *, path: str) -> dict[str, Any]:
    """Job handler `dashboards.refresh`: the refresh of a unit marked by a committed import batch."""
    _refresh(path)
    return {"path": path}


@receiver(post_save, sender=ChangeRecord, dispatch_uid="dashboards_mark_stale")
def mark_stale(sender: Any, instance: ChangeRecord, created: bool, **kwargs: Any) -> None:
    if not created or not instance.unit_path or kwargs.get("raw"):
        return
    ct = instance.content_type
    if ct.app_label not in SOURCE_APPS:
        return
    # staging or checking an import batch moves no figure; its commit does
    if ct.model == "importbatch" and instance.action != "committed":
        return
    path = instance.unit_path
    model = f"{ct.app_label}.{ct.model}"
    PendingRefresh.objects.create(unit_path=path, subtree=model not in ROW_MODELS)
    if model in JOB_MODELS:  # dispatched when the transaction commits; the mark stays until the job ran
        job_enqueue(
            actor=None, kind="dashboards.refresh", params={"path": path}, title=_("Cập nhật số liệu tổng hợp")
        )
        return
    transaction.on_commit(lambda: _refresh(path))
