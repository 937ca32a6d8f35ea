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

from mtqg.core.scoping import ScopedQuerySet
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


class UnitStamp(models.Model):
    """Version of the facts of one unit path, bumped by a refresh *at* that path (a commune's row-level change, or
    the unit whose subtree an import or rebuild refreshed; "" for a country-wide rebuild). A commune page's cache
    key holds the stamps of its own paths and of their ancestors only, so a save in one commune leaves every other
    commune's pages hits; aggregate pages (province, country) keep the province stamps and are served within a
    bounded staleness instead (decision 0835)."""

    path = models.CharField(_("đường dẫn đơn vị"), max_length=255, unique=True)
    version = models.PositiveBigIntegerField(_("phiên bản"), default=0)
    changed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("phiên bản số liệu của đơn vị")
        verbose_name_plural = _("phiên bản số liệu của đơn vị")

    def __str__(self) -> str:
        return f"{self.path} v{self.version}"


class Rollup(models.Model):
    """Summary facts already summed for the units whose pages would otherwise read thousands of facts (decision
    0715): as reported, per province version (the facts under its path) and for the country; on today's units,
    per current province and current commune (the facts of their lineage apportioned once: additive measures by
    the edge's share, statuses whole). Kept by the same incremental refresh (differences added) and rebuilt with
    the facts; read only when the reader sees every fact the node sums."""

    class Mode(models.TextChoices):
        REPORTED = "reported", _("theo đơn vị tại thời điểm báo cáo")
        CURRENT = "current", _("quy về đơn vị hiện nay")

    node = models.ForeignKey(
        UnitVersion, on_delete=models.CASCADE, related_name="+", verbose_name=_("đơn vị")
    )
    node_path = models.CharField(_("đường dẫn đơn vị"), max_length=255, editable=False)
    node_level = models.PositiveSmallIntegerField(_("cấp"))
    mode = models.CharField(_("cách quy đổi"), max_length=8, choices=Mode.choices)
    measure = models.CharField(_("chỉ số"), max_length=40)
    year = models.PositiveSmallIntegerField(_("năm"))
    period = models.CharField(_("kỳ"), max_length=4, blank=True)
    key = models.CharField(_("phân tổ"), max_length=80, blank=True)
    numerator = models.DecimalField(_("tử số / giá trị"), max_digits=28, decimal_places=8)
    denominator = models.DecimalField(_("mẫu số"), max_digits=28, decimal_places=8, default=0)
    facts = models.IntegerField(_("số bản ghi cộng vào"), default=0)

    scope_path = "node_path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu cộng sẵn")
        verbose_name_plural = _("số liệu cộng sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["node", "mode", "measure", "year", "period", "key"], name="rollup_unique"
            )
        ]
        indexes = [
            models.Index(fields=["node", "mode", "year"], name="rollup_node_year"),
            models.Index(fields=["mode", "node_level", "year", "node_path"], name="rollup_level_year"),
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.measure} {self.node_id} {self.year}{self.period} {self.key}"


class RollupState(models.Model):
    """One row: whether the roll-ups match the facts (false on a database that had facts before roll-ups existed,
    until `rebuild_summaries`); locked by every refresh that adds differences (one writer at a time)."""

    ready = models.BooleanField(_("đã đồng bộ"), default=False)
    built_at = models.DateTimeField(_("dựng lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("trạng thái số liệu cộng sẵn")
        verbose_name_plural = _("trạng thái số liệu cộng sẵn")

    def __str__(self) -> str:
        return f"ready={self.ready}"
