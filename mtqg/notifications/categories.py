"""Notification categories: code → Vietnamese label. Each app adds its own lines (users can mute any of them)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATEGORIES: dict[str, str | Promise] = {
    "system": _("Hệ thống"),
    "jobs.finished": _("Công việc nền hoàn thành"),
    "workflow.submitted": _("Báo cáo chờ duyệt"),
    "workflow.returned": _("Báo cáo bị trả lại hoặc mở lại"),
    "workflow.approved": _("Báo cáo đã được duyệt"),
    "workflow.approaching": _("Sắp đến hạn nộp báo cáo"),
    "workflow.overdue": _("Báo cáo quá hạn"),
    "poverty.batch_staged": _("Lô rà soát hộ nghèo chờ duyệt"),
    "ocop.rerating": _("Chứng nhận OCOP sắp hết hạn, cần đánh giá lại"),
    "supervision.due": _("Kiến nghị sắp đến hạn"),
    "supervision.overdue": _("Kiến nghị quá hạn"),
    "ntm.recognition": _("Công nhận, thu hồi danh hiệu NTM của xã"),
}


def label(code: str) -> str:
    return str(CATEGORIES.get(code, code))
