"""Precomputed totals (summary facts) read by the dashboards, the maps, the portal and the API.

A fact is one number (numerator, optional denominator) of one measure for one unit version, one year, an optional
period inside the year (month) and an optional disaggregation key. Facts sit on the unit the source records point to
(a commune for NTM assessments and poverty reviews, the allocation's unit for money); totals for any unit are sums
over the facts under its path. Facts are rebuilt in bulk (`rebuild_summaries`) and refreshed incrementally after
every audited change (see receivers.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mtqg.accounts.scoping import ScopedQuerySet
from mtqg.geo.models import UnitVersion


class SummaryFact(models.Model):
    measure = models.CharField(_("chỉ số"), max_length=40)
    unit = models.ForeignKey(
        UnitVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    period = models.CharField(_("kỳ"), max_length=4, blank=True, help_text=_("Trống: cả năm; M01…M13: tháng"))
    key = models.CharField(_("phân tổ"), max_length=80, blank=True)
    numerator = models.DecimalField(_("tử số / giá trị"), max_digits=20, decimal_places=2)
    denominator = models.DecimalField(_("mẫu số"), max_digits=20, decimal_places=2, null=True, blank=True)
    computed_at = models.DateTimeField(_("tính lúc"))
    unit_path = models.CharField(
        _("đường dẫn đơn vị"),
        max_length=255,
        editable=False,
        help_text=_("Bản sao UnitVersion.path để lọc nhanh"),
    )

    scope_path = "unit_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu tổng hợp")
        verbose_name_plural = _("số liệu tổng hợp")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit", "year", "period", "key"], name="summary_fact_unique"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "measure"]),
            models.Index(fields=["unit_path", "year"], name="summary_fact_path_year"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.unit_id} {self.year}{self.period} {self.key}"


class PendingRefresh(models.Model):
    """A unit subtree whose facts are stale (marked by an audited change, cleared when refreshed)."""

    unit_path = models.CharField(_("đường dẫn đơn vị"), max_length=255, db_index=True)
    subtree = models.BooleanField(_("cả các đơn vị trực thuộc"), default=True)
    marked_at = models.DateTimeField(_("đánh dấu lúc"), auto_now=True)

    class Meta:
        verbose_name = _("đơn vị chờ tính lại")
        verbose_name_plural = _("đơn vị chờ tính lại")

    def __str__(self) -> str:
        return self.unit_path


class FactsStamp(models.Model):
    """Version of the facts under one province path prefix (the first two path segments; the country's own facts
    under its one-segment path): bumped by every refresh and rebuild that touches the prefix. A dashboard's cache
    key holds the stamps of the provinces its unit covers — one small indexed query instead of aggregating the
    facts — and "số liệu tính đến" is the latest stamp time (decision 0711)."""

    path = models.CharField(_("đường dẫn tỉnh"), max_length=40, unique=True)
    version = models.PositiveBigIntegerField(_("phiên bản"), default=0)
    changed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("phiên bản số liệu tổng hợp")
        verbose_name_plural = _("phiên bản số liệu tổng hợp")

    def __str__(self) -> str:
        return f"{self.path} v{self.version}"
