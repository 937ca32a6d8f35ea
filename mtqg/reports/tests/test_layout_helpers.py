"""The shared pieces of a declared layout: the unit's code and name, and the figure report (its "Chỉ tiêu" table,
then its other blocks, a table with no row left out)."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from mtqg.core.tables import INT, Column, Typed
from mtqg.reports.document import Figure, Heading, figures_report, rows_table, unit_figures

DATA = {"unit": {"code": "11", "name": "Tỉnh Điện Biên"}, "communes": 116, "rows": [{"name": "Xã A"}]}


class UnitFiguresTests(SimpleTestCase):
    def test_code_then_name_read_from_the_unit(self) -> None:
        report = figures_report(DATA, unit_figures())
        rows = list(report.blocks[0].rows)  # type: ignore[union-attr]
        self.assertEqual([r["label"] for r in rows], ["Mã đơn vị", "Đơn vị"])
        self.assertEqual([r["value"] for r in rows], [Typed("11", "text"), Typed("Tỉnh Điện Biên", "text")])

    def test_labels_follow_the_active_language(self) -> None:
        with translation.override("en"):
            labels = [str(f.label) for f in unit_figures()]
        self.assertNotIn("Mã đơn vị", labels)
        self.assertEqual(len(labels), 2)


class FiguresReportTests(SimpleTestCase):
    def test_figures_table_first_then_the_blocks_in_order(self) -> None:
        heading = Heading("Phần 2")
        table = rows_table("Danh sách", DATA["rows"], [Column("name", "Xã")])
        report = figures_report(DATA, [Figure("communes", "Số xã", INT)], heading, table)
        self.assertEqual(report.data, DATA)
        figures, *rest = report.blocks
        self.assertEqual(figures.title, "Chỉ tiêu")  # type: ignore[union-attr]
        self.assertEqual(list(figures.rows), [{"label": "Số xã", "value": Typed(116, INT)}])  # type: ignore[union-attr]
        self.assertEqual(rest, [heading, table])

    def test_a_table_with_no_row_is_left_out(self) -> None:
        empty = rows_table("Trống", [], [Column("name", "Xã")])
        report = figures_report(DATA, unit_figures(), empty)
        self.assertEqual(len(report.blocks), 1)

    def test_notes_go_under_the_figures_table_as_text(self) -> None:
        report = figures_report(DATA, unit_figures(), notes=["Ghi chú 1", 2])
        self.assertEqual(report.blocks[0].notes, ["Ghi chú 1", "2"])  # type: ignore[union-attr]
        self.assertEqual(figures_report(DATA, unit_figures()).blocks[0].notes, [])  # type: ignore[union-attr]
