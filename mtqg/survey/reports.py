"""Reports of a commune's review: the result of the review in the form of a state document
(XLSX/DOCX/PDF through mtqg.reports.writers): counts by class and transition versus last year, and the list of
households with their class and reasons. The official Mẫu 7.x layouts of TT 07/2021 Phụ lục VII (amended by
TT 02/2022) were not retrieved: the blocks follow their subject (UNCONFIRMED layout)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from mtqg.core.formatting import date_vi
from mtqg.poverty.models import Household, Member
from mtqg.reports.params import ReportParams

from .definitions import standard_of
from .models import Campaign, CampaignHousehold, Certificate, SurveyResponse

CLASS_LABELS = {
    "poor": "Hộ nghèo",
    "near_poor": "Hộ cận nghèo",
    "average": "Hộ có mức sống trung bình",
    "none": "Không thuộc diện",
}


def _change(previous: str, current: str) -> str:
    poorish = ("poor", "near_poor")
    if current == "poor" and previous != "poor":
        return "Hộ nghèo mới" if previous != "near_poor" else "Từ cận nghèo sang nghèo"
    if previous == "poor" and current != "poor":
        return "Thoát nghèo"
    if previous == "near_poor" and current not in poorish:
        return "Thoát cận nghèo"
    if current == "near_poor" and previous not in poorish:
        return "Hộ cận nghèo mới"
    return ""


def review_results(user: Any, params: ReportParams) -> dict[str, Any]:
    """The review of `params.year` in commune `params.unit` (the campaign must be visible to the user)."""
    if params.year is None:
        raise ValidationError({"year": _("Cần chọn năm rà soát.")})
    qs = Campaign.objects.all() if user is None else Campaign.objects.visible_to(user)
    campaign = qs.filter(commune=params.unit, year=params.year).select_related("commune", "form").first()
    if campaign is None:  # no data is said, not shown as zeros
        text = _("Chưa có số liệu: %(u)s không có đợt rà soát năm %(y)s.") % {
            "u": params.unit.name,
            "y": params.year,
        }
        return {
            "blocks": [
                {"type": "heading", "text": _("Kết quả rà soát hộ nghèo, hộ cận nghèo"), "level": 1},
                {"type": "paragraph", "text": text},
            ]
        }
    items = (
        CampaignHousehold.objects.filter(campaign=campaign)
        .select_related("household", "village")
        .order_by("village__name", "household__code")
    )
    responses = {r.item_id: r for r in SurveyResponse.objects.filter(item__campaign=campaign)}
    rows: list[dict[str, Any]] = []
    classes: Counter[str] = Counter()
    changes: Counter[str] = Counter()
    for n, it in enumerate(items, start=1):
        r = responses.get(it.pk)
        cls = r.poverty_class if r else ""
        change = _change(it.previous_class, cls) if r else ""
        classes[cls or "pending"] += 1
        if change:
            changes[change] += 1
        rows.append(
            {
                "stt": n,
                "ma_ho": it.household.code,
                "chu_ho": it.household.head_name,
                "thon": it.village.name if it.village else "",
                "nam_truoc": CLASS_LABELS.get(it.previous_class, ""),
                "ket_qua": CLASS_LABELS.get(cls, "Chưa rà soát"),
                "bien_dong": change,
                "diem_b1": r.b1_score if r else None,
                "so_thieu_hut": len(r.deprivations) if r else None,
            }
        )
    summary = [
        {"chi_tieu": label, "so_ho": classes.get(key, 0)}
        for key, label in (*CLASS_LABELS.items(), ("pending", "Chưa rà soát"))
    ] + [{"chi_tieu": k, "so_ho": v} for k, v in sorted(changes.items())]
    decision = getattr(campaign, "decision", None)
    commune = campaign.commune.name
    return {
        "document": {
            "issuer_lines": [f"UBND {commune.upper()}", "BAN CHỈ ĐẠO RÀ SOÁT"],
            "number": f"Số: {decision.number}" if decision else "Số:      /BC-BCĐ",
            "place_date": f"{commune}, ngày {date_vi(decision.signed_on) if decision else '…'}",
            "kind": "BÁO CÁO",
            "title": f"Kết quả rà soát hộ nghèo, hộ cận nghèo năm {campaign.year}",
            "subtitle": f"{campaign.form.citation[:160]} — Mẫu của hệ thống: {LAYOUTS['poverty-review-results']['basis']}",
        },
        "blocks": [
            {"type": "heading", "text": "I. Tổng hợp kết quả", "level": 2},
            {
                "type": "table",
                "title": "Tổng hợp",
                "columns": [
                    {"key": "chi_tieu", "label": "Chỉ tiêu", "kind": "text"},
                    {"key": "so_ho", "label": "Số hộ", "kind": "int"},
                ],
                "rows": summary,
            },
            {"type": "heading", "text": "II. Danh sách hộ", "level": 2},
            {
                "type": "table",
                "title": "Danh sách hộ rà soát",
                "annex": True,
                "columns": [
                    {"key": k, "label": lbl, "kind": kind}
                    for k, lbl, kind in (
                        ("stt", "STT", "int"),
                        ("ma_ho", "Mã hộ", "text"),
                        ("chu_ho", "Chủ hộ", "text"),
                        ("thon", "Thôn, bản", "text"),
                        ("nam_truoc", "Năm trước", "text"),
                        ("ket_qua", "Kết quả rà soát", "text"),
                        ("bien_dong", "Biến động", "text"),
                        ("diem_b1", "Điểm B1", "int"),
                        ("so_thieu_hut", "Số chỉ số thiếu hụt", "int"),
                    )
                ],
                "rows": rows,
            },
        ],
    }


LAYOUTS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "report_layouts.json").read_text("utf-8")
)
KINH = ("kinh", "")


def _layout_document(slug: str, campaign: Campaign) -> dict[str, Any]:
    """The state-document header of a review report; the subtitle says whether the layout is official (data)."""
    layout = LAYOUTS[slug]
    decision = getattr(campaign, "decision", None)
    commune = campaign.commune.name
    return {
        "issuer_lines": [f"UBND {commune.upper()}", "BAN CHỈ ĐẠO RÀ SOÁT"],
        "number": f"Số: {decision.number}" if decision else "Số:      /BC-BCĐ",
        "place_date": f"{commune}, ngày {date_vi(decision.signed_on) if decision else '…'}",
        "kind": "BÁO CÁO",
        "title": f"{layout['title']} năm {campaign.year}",
        "subtitle": ("Mẫu chính thức" if layout["official"] else "Mẫu của hệ thống")
        + f" — {layout['basis']}",
    }


def _table(slug: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    layout = LAYOUTS[slug]
    columns = [{"key": k, "label": lbl, "kind": kind} for k, lbl, kind in layout["columns"]]
    return {"type": "table", "title": layout["title"], "columns": columns, "rows": rows}


def _campaign_or_no_data(
    user: Any, params: ReportParams, slug: str
) -> tuple[Campaign | None, dict[str, Any]]:
    if params.year is None:
        raise ValidationError({"year": _("Cần chọn năm rà soát.")})
    qs = Campaign.objects.all() if user is None else Campaign.objects.visible_to(user)
    campaign = qs.filter(commune=params.unit, year=params.year).select_related("commune", "form").first()
    text = _("Chưa có số liệu: %(u)s không có đợt rà soát năm %(y)s.") % {
        "u": params.unit.name,
        "y": params.year,
    }
    empty = {
        "blocks": [
            {"type": "heading", "text": LAYOUTS[slug]["title"], "level": 1},
            {"type": "paragraph", "text": text},
        ]
    }
    return campaign, empty


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 2) if whole else None


def review_by_village(user: Any, params: ReportParams) -> dict[str, Any]:
    """Per village of a commune's review: households of the register, listed, poor and near-poor at the start
    (last review) and at the end (survey result), escapes and new ones, rates, ethnic-minority poor."""
    slug = "poverty-review-by-village"
    campaign, empty = _campaign_or_no_data(user, params, slug)
    if campaign is None:
        return empty
    items = CampaignHousehold.objects.filter(campaign=campaign).select_related("village", "household")
    result = dict(
        SurveyResponse.objects.filter(item__campaign=campaign).values_list("item_id", "poverty_class")
    )
    register = dict(
        Household.objects.filter(village__parent=campaign.commune)
        .values_list("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    by_village: dict[Any, Counter[str]] = {}
    names: dict[Any, str] = {}
    for it in items:
        c = by_village.setdefault(it.village_id, Counter())
        names[it.village_id] = it.village.name if it.village else "Chưa gán thôn"
        now, before = result.get(it.pk, ""), it.previous_class
        c["rasoat"] += 1
        c["ngheo_dau_ky"] += before == "poor"
        c["can_ngheo_dau_ky"] += before == "near_poor"
        if not now:
            c["chua_rasoat"] += 1
            continue
        change = _change(before, now)
        c["thoat_ngheo"] += change == "Thoát nghèo"
        c["thoat_can_ngheo"] += change == "Thoát cận nghèo"
        c["ngheo_moi"] += now == "poor" and before != "poor"
        c["can_ngheo_moi"] += change == "Hộ cận nghèo mới"
        c["ngheo_cuoi_ky"] += now == "poor"
        c["can_ngheo_cuoi_ky"] += now == "near_poor"
        c["ngheo_dtts"] += now == "poor" and it.household.ethnicity.strip().lower() not in KINH
    rows = []
    total: Counter[str] = Counter()
    for vid in sorted(by_village, key=lambda v: names[v]):
        c = by_village[vid]
        households = register.get(vid, 0) if vid else 0
        total.update(c)
        total["tong_ho"] += households
        rows.append(_village_row(names[vid], households, c))
    rows.append(_village_row("Cộng", total["tong_ho"], total))
    return {
        "document": _layout_document(slug, campaign),
        "blocks": [_table(slug, rows)],
        "layout": {"slug": slug, "official": LAYOUTS[slug]["official"]},
    }


def _village_row(name: str, households: int, c: Counter[str]) -> dict[str, Any]:
    keys = [k for k, _l, _k in LAYOUTS["poverty-review-by-village"]["columns"]]
    row: dict[str, Any] = {k: c.get(k, 0) for k in keys}
    row |= {"thon": name, "tong_ho": households or None}
    row["ty_le_ngheo"] = _rate(c["ngheo_cuoi_ky"], households)
    row["ty_le_can_ngheo"] = _rate(c["can_ngheo_cuoi_ky"], households)
    return row


def review_deprivations(user: Any, params: ReportParams) -> dict[str, Any]:
    """Poor and near-poor households of a commune's review by deprivation indicator (counts and shares)."""
    slug = "poverty-review-deprivations"
    campaign, empty = _campaign_or_no_data(user, params, slug)
    if campaign is None:
        return empty
    classes: Counter[str] = Counter()
    deprived: dict[str, Counter[str]] = {"poor": Counter(), "near_poor": Counter()}
    for cls, codes in SurveyResponse.objects.filter(
        item__campaign=campaign, poverty_class__in=("poor", "near_poor")
    ).values_list("poverty_class", "deprivations"):
        classes[cls] += 1
        deprived[cls].update(codes)
    rows = [
        {
            "stt": n,
            "chieu": ind.get("dimension", ""),
            "chi_so": ind["name"],
            "ngheo": deprived["poor"][ind["code"]],
            "ty_le_ngheo": _rate(deprived["poor"][ind["code"]], classes["poor"]),
            "can_ngheo": deprived["near_poor"][ind["code"]],
            "ty_le_can_ngheo": _rate(deprived["near_poor"][ind["code"]], classes["near_poor"]),
        }
        for n, ind in enumerate(standard_of(campaign.form).indicators, start=1)
    ]
    return {
        "document": _layout_document(slug, campaign),
        "blocks": [
            {
                "type": "paragraph",
                "text": f"Hộ nghèo: {classes['poor']} hộ; hộ cận nghèo: {classes['near_poor']} hộ (kết quả phiếu).",
            },
            _table(slug, rows),
        ],
        "layout": {"slug": slug, "official": LAYOUTS[slug]["official"]},
    }


def certificate_members(cert: Certificate) -> list[dict[str, Any]]:
    """The member table of Mẫu số 03: name, ethnicity, relation, year of birth in the male or female column."""
    hh = cert.household
    return [
        {
            "stt": n,
            "ho_ten": m.full_name,
            "dan_toc": m.ethnicity or hh.ethnicity,
            "quan_he": m.relation,
            "nam_sinh_nam": m.birth_date.year if m.birth_date and m.sex == "M" else None,
            "nam_sinh_nu": m.birth_date.year if m.birth_date and m.sex == "F" else None,
            "ghi_chu": "",
        }
        for n, m in enumerate(Member.objects.filter(household=hh).order_by("id"), start=1)
    ]


def certificate(cert: Certificate) -> dict[str, Any]:
    """Giấy chứng nhận hộ nghèo, hộ cận nghèo (QĐ 24/2021 Mẫu số 03; content as in poverty-standards.md §3 [P39])
    of a registered certificate. Personal data in clear: the caller checks the user's data-entry scope."""
    if cert.status != Certificate.Status.VALID:
        raise ValidationError(
            _("Giấy chứng nhận %(n)s đã thu hồi ngày %(d)s: %(r)s.")
            % {"n": cert.number, "d": date_vi(cert.revoked_on), "r": cert.revoked_reason}
        )
    hh = cert.household
    head = Member.objects.filter(household=hh, full_name=hh.head_name).first()
    members = certificate_members(cert)
    commune = cert.commune.name
    label = CLASS_LABELS[cert.poverty_class]
    village = hh.village.name if hh.village else ""
    return {
        "document": {
            "issuer_lines": [cert.issuer.upper()],
            "number": f"Số: {cert.number}",
            "place_date": f"{commune}, ngày {date_vi(cert.issued_on)}",
            "kind": "GIẤY CHỨNG NHẬN",
            "title": f"{label.upper()} NĂM {cert.year}",
            "subtitle": f"Theo {cert.decision}" if cert.decision else "",
        },
        "blocks": [
            {"type": "paragraph", "text": f"Chứng nhận hộ gia đình ông/bà: {hh.head_name}"},
            {"type": "paragraph", "text": f"Dân tộc: {hh.ethnicity or '—'}"},
            {"type": "paragraph", "text": f"Số định danh cá nhân: {(head.id_number if head else '') or '—'}"},
            {
                "type": "paragraph",
                "text": f"Nơi thường trú: {hh.address or village}, {commune}",
            },
            {"type": "paragraph", "text": f"Là {label.lower()} năm {cert.year}."},
            {
                "type": "table",
                "title": "Thành viên hộ gia đình",
                "columns": [
                    {"key": k, "label": lbl, "kind": kind_}
                    for k, lbl, kind_ in (
                        ("stt", "STT", "int"),
                        ("ho_ten", "Họ và tên", "text"),
                        ("dan_toc", "Dân tộc", "text"),
                        ("quan_he", "Quan hệ với chủ hộ", "text"),
                        ("nam_sinh_nam", "Năm sinh (Nam)", "text"),
                        ("nam_sinh_nu", "Năm sinh (Nữ)", "text"),
                        ("ghi_chu", "Ghi chú thay đổi", "text"),
                    )
                ],
                "rows": members,
            },
            {"type": "paragraph", "text": f"CHỦ TỊCH UBND {commune.upper()} — {cert.signer}"},
        ],
    }
