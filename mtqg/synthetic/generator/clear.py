"""Step `clear`: the rows of an earlier run (every synthetic row carries the marker), raw-deleted."""

from __future__ import annotations

from typing import Any

from django.db import models

from mtqg.finance.models import Allocation, CapitalPlan, Disbursement, Work
from mtqg.ntm.models import Assessment, CriterionResult, IndicatorValue, Recognition
from mtqg.poverty.models import Household, Member, Review
from mtqg.workflow.models import Report, ReportDecision, ReportValue

from .base import MARK, Context


def clear(g: Context) -> None:
    def raw(qs: models.QuerySet[Any]) -> None:
        qs._raw_delete(qs.db)

    syn_assessments = Assessment.objects.filter(note=MARK).values("pk")
    raw(CriterionResult.objects.filter(assessment__in=syn_assessments))
    raw(IndicatorValue.objects.filter(assessment__in=syn_assessments))
    raw(Assessment.objects.filter(note=MARK))
    raw(Recognition.objects.filter(decision_no__startswith=f"{MARK}-"))
    households = Household.objects.filter(code__startswith=f"{MARK}-").values("pk")
    raw(Review.objects.filter(household__in=households))
    raw(Member.objects.filter(household__in=households))
    raw(Household.objects.filter(code__startswith=f"{MARK}-"))
    raw(Disbursement.objects.filter(reference=MARK))
    raw(Allocation.objects.filter(decision_ref=MARK))
    raw(Work.objects.filter(code__startswith=f"{MARK}-"))
    raw(CapitalPlan.objects.filter(note=MARK))
    reports = Report.objects.filter(note=MARK).values("pk")
    raw(ReportValue.objects.filter(report__in=reports))
    raw(ReportDecision.objects.filter(report__in=reports))
    raw(Report.objects.filter(note=MARK))
