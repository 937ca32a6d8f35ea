"""Vietnamese titles of the catalog reports (documents, screens, file names)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

REPORT_TITLES = {
    "poverty-review-results": _("Kết quả rà soát hộ nghèo, hộ cận nghèo"),
    "poverty-certificate": _("Giấy chứng nhận hộ nghèo, hộ cận nghèo"),
    "poverty-review-by-village": _("Tổng hợp kết quả rà soát hộ nghèo, hộ cận nghèo theo thôn, bản"),
    "poverty-review-deprivations": _("Hộ nghèo, hộ cận nghèo theo chỉ số thiếu hụt dịch vụ xã hội cơ bản"),
    "briefing": _("Báo cáo tình hình thực hiện các Chương trình mục tiêu quốc gia"),
    "disbursement": _("Giải ngân vốn các Chương trình mục tiêu quốc gia"),
    "outputs": _("Kết quả đầu ra so với mục tiêu"),
    "finance-alerts": _("Cảnh báo giải ngân, đầu tư"),
    "ocop-summary": _("Tổng hợp sản phẩm OCOP"),
    "poverty-summary": _("Tổng hợp hộ nghèo, hộ cận nghèo"),
    "ntm-summary": _("Tổng hợp kết quả xây dựng nông thôn mới"),
    "ntm-white-communes": _("Xã, thôn trắng về truyền thanh và sóng di động"),
    "ntm-digital-gaps": _("Xã, thôn chưa có đài truyền thanh hoặc sóng điện thoại di động"),
    "ntm-keeping": _("Xã đã công nhận chưa giữ chuẩn nông thôn mới"),
    "ntm-context": _("Bối cảnh kinh tế - xã hội của đơn vị"),
    "ntm-district-register": _("Sổ huyện nông thôn mới (trước 01/7/2025)"),
    "ntm-province-register": _("Sổ tỉnh hoàn thành nhiệm vụ xây dựng nông thôn mới"),
    "supervision-recurring-themes": _("Vấn đề lặp lại qua các đoàn giám sát"),
    "poverty-by-province": _("Hộ nghèo, hộ cận nghèo theo tỉnh"),
    "planning-scenario": _("Kịch bản phân bổ vốn xây dựng nông thôn mới"),
    "workflow-completeness": _("Tình hình nộp báo cáo định kỳ"),
    "workflow-validation": _("Kiểm tra số liệu báo cáo định kỳ"),
    "dashboard": _("Bảng điều hành tổng hợp"),
}
