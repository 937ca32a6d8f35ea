"""`core.tables.workbook_bytes`: the bytes of a saved workbook, which openpyxl reads back unchanged."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from mtqg.core.tables import workbook_bytes


def test_workbook_bytes_is_an_xlsx_that_reads_back() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Thong tin"
    ws.append(["Xã Mường Phăng", 1234])
    data = workbook_bytes(wb)
    assert data[:2] == b"PK"  # an .xlsx is a zip archive
    back = load_workbook(io.BytesIO(data))
    assert back.sheetnames == ["Thong tin"]
    assert [c.value for c in back["Thong tin"][1]] == ["Xã Mường Phăng", 1234]
