"""Vietnamese titles of the catalog reports (documents, screens, file names)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REPORT_TITLES = {
    "poverty-review-results": _("Kết quả rà soát hộ nghèo, hộ cận nghèo"),
    "poverty-certificate": _("Giấy chứng nhận hộ nghèo, hộ cận nghèo"),
    "briefing": _("Báo cáo tình hình thực hiện các Chương trình mục tiêu quốc gia"),
    "disbursement": _("Giải ngân vốn các Chương trình mục tiêu quốc gia"),
    "outputs": _("Kết quả đầu ra so với mục tiêu"),
    "finance-alerts": _("Cảnh báo giải ngân, đầu tư"),
    "ocop-summary": _("Tổng hợp sản phẩm OCOP"),
    "poverty-summary": _("Tổng hợp hộ nghèo, hộ cận nghèo"),
    "ntm-summary": _("Tổng hợp kết quả xây dựng nông thôn mới"),
    "ntm-white-communes": _("Xã, thôn trắng về truyền thanh và sóng di động"),
    "ntm-digital-gaps": _("Xã, thôn chưa có đài truyền thanh hoặc sóng điện thoại di động"),
    "supervision-recurring-themes": _("Vấn đề lặp lại qua các đoàn giám sát"),
}

# Column/figure names used by the automatic layout of a report (key → Vietnamese label); unknown keys print as-is.
KEY_LABELS = {
    "unit": _("Đơn vị"),
    "code": _("Mã"),
    "name": _("Tên"),
    "year": _("Năm"),
    "as_of": _("Tính đến ngày"),
    "baseline": _("Năm gốc"),
    "plan": _("Kế hoạch (đồng)"),
    "disbursed": _("Đã giải ngân (đồng)"),
    "rate": _("Tỷ lệ (%)"),
    "percent": _("Tỷ lệ (%)"),
    "actual": _("Thực hiện"),
    "target": _("Mục tiêu"),
    "program": _("Chương trình"),
    "source": _("Nguồn vốn"),
    "central": _("Ngân sách Trung ương"),
    "local_counterpart": _("Ngân sách địa phương đối ứng"),
    "by_program": _("Theo chương trình"),
    "by_source": _("Theo nguồn vốn"),
    "denominator": _("Mẫu số"),
    "communes": _("Số xã"),
    "recognised": _("Xã đạt chuẩn NTM"),
    "recognised_rate": _("Tỷ lệ xã đạt chuẩn (%)"),
    "basically_met": _("Xã cơ bản đạt chuẩn"),
    "advanced": _("Xã NTM nâng cao"),
    "model": _("Xã NTM kiểu mẫu"),
    "bands": _("Nhóm số tiêu chí đạt"),
    "average_criteria_met": _("Số tiêu chí bình quân/xã"),
    "households": _("Số hộ"),
    "poor": _("Hộ nghèo"),
    "poor_rate": _("Tỷ lệ hộ nghèo (%)"),
    "near_poor": _("Hộ cận nghèo"),
    "near_poor_rate": _("Tỷ lệ hộ cận nghèo (%)"),
    "title": _("Nội dung"),
    "evidence": _("Dẫn chứng"),
    "kind": _("Loại"),
    "label": _("Tên"),
    "count": _("Số lượng"),
    "theme": _("Chủ đề"),
    "years": _("Các năm"),
    "units": _("Đơn vị"),
}
