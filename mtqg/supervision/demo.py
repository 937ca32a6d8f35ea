"""Demo data for supervision, called by `manage.py seed_demo`: the two missions of the source articles.

Mission, findings and recommendations are the articles' own text (seeds 000 and 002). The articles give no
deadlines and no follow-up: deadlines below are illustrative, and every follow-up text starts with "[Minh họa]"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from mtqg.geo.models import UnitVersion
from mtqg.reports.writers import render

from . import reporting, services
from .models import Mission, Recommendation, Snapshot

SOURCE_DB = "Bài viết nguồn 000: Cổng TTĐT tỉnh Điện Biên (DIC), 06/12/2020"
SOURCE_CB = (
    "Bài viết nguồn 002: TTXVN, 2024. Bài không nêu ngày làm việc và cơ quan tổ chức đoàn: ngày 01/02/2024 là "
    "giả định (unconfirmed), sau mốc số liệu 31/01/2024"
)
D = Recommendation.Party

# (kind, raised_by, theme, content, evidence_ref)
DB_FINDINGS = [
    (
        "result",
        "province",
        "ket-qua",
        "Hết tháng 11/2020, toàn tỉnh có 33/115 xã đạt chuẩn và cơ bản đạt chuẩn NTM; "
        "trong đó có 19 xã đạt chuẩn NTM và 14 xã cơ bản đạt chuẩn NTM.",
        "ntm-summary unit=11 as_of=2020-11-30",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Ước đến hết năm 2020 có 21 xã đạt chuẩn NTM (đạt 18,26%), 22 xã đạt từ 15 - 18 "
        "tiêu chí, 30 xã đạt từ 10 - 14 tiêu chí, 42 xã đạt từ 5 - 9 tiêu chí; bình quân 11,7 tiêu chí/xã.",
        "ntm-summary unit=11 as_of=2020-12-31",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Toàn tỉnh còn 5 huyện nghèo theo Nghị quyết 30a/NQ-CP; 2 huyện hưởng 70% chính "
        "sách đầu tư cơ sở hạ tầng huyện nghèo theo Quyết định 293/QĐ-TTg; 97 xã đặc biệt khó khăn và 2 thôn bản đặc "
        "biệt khó khăn hưởng chính sách Chương trình 135.",
        "classification: poor_district_30a, district_293, p135_commune, p135_village",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Toàn tỉnh còn hơn 43.000 hộ nghèo, giảm 15,09% so với năm 2015.",
        "poverty-summary unit=11 year=2020 baseline=2015",
    ),
    (
        "difficulty",
        "province",
        "tieu-chi-kho",
        "Một số tiêu chí (môi trường, thu nhập, tỷ lệ hộ nghèo…) trong xây dựng NTM rất khó thực hiện.",
        "ntm: tiêu chí 17, 10, 11",
    ),
    (
        "difficulty",
        "province",
        "sinh-ke",
        "Hỗ trợ sinh kế đã được các cấp, ngành, địa phương quan tâm song trình độ "
        "dân chí thấp nên hiệu quả thực hiện chưa cao.",
        "",
    ),
    (
        "limitation",
        "delegation",
        "dau-tu-dan-trai",
        "Đoàn công tác chỉ ra những tồn tại, hạn chế trong quá trình triển "
        "khai các chương trình, dự án trên địa bàn tỉnh (đề nghị tập trung kinh phí, tránh đầu tư dàn trải).",
        "",
    ),
]
# (from, from_name, to, to_name, theme, content, deadline, responsible_name)
DB_RECS = [
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        "dau-tu-dan-trai",
        "Tiếp tục quan tâm ưu tiên kinh phí tập trung thực hiện các chương trình, tránh đầu tư dàn trải.",
        date(2021, 12, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        "dau-tu-dan-trai",
        "Chọn những địa bàn triển khai các chương trình cho hợp lý, phù hợp theo phương châm “dễ làm trước, khó làm sau”.",
        date(2021, 6, 30),
        "",
    ),
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        "giai-ngan-cham",
        "Quan tâm đến vốn sự nghiệp để giải ngân cho các địa phương.",
        date(2021, 1, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.DEPARTMENT,
        "Sở Thông tin và Truyền thông",
        "ha-tang-so",
        "Sở TT&TT tham mưu cho UBND tỉnh rà soát lại các chương trình về TT&TT.",
        date(2021, 3, 31),
        "Sở TT&TT tỉnh Điện Biên",
    ),
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.DEPARTMENT,
        "Sở Nông nghiệp và Phát triển nông thôn, Sở Lao động, Thương binh và Xã hội",
        "sinh-ke",
        "Triển khai nhiều giải pháp đa dạng hóa sinh kế cho người dân.",
        date(2021, 12, 31),
        "Sở NN&PTNT, Sở LĐTB&XH",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Phạm Anh Tuấn",
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        "ha-tang-so",
        "Tiếp tục đẩy nhanh ứng dụng công nghệ thông tin; nâng cấp hạ tầng thông tin và rà soát lại các chương trình "
        "trên địa bàn tỉnh.",
        date(2021, 12, 31),
        "",
    ),
    (
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        D.GOVERNMENT,
        "Chính phủ, Thủ tướng Chính phủ",
        "nguon-von",
        "Tiếp tục quan tâm, ưu tiên kinh phí, tăng thêm mức hỗ trợ đầu tư thực hiện các chương trình MTQG.",
        None,
        "",
    ),
    (
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        D.GOVERNMENT,
        "Chính phủ, Thủ tướng Chính phủ",
        "co-che-chinh-sach",
        "Sớm ban hành các cơ chế chính sách đặc thù thực hiện Chương trình MTQG năm 2021.",
        date(2021, 6, 30),
        "",
    ),
    (
        D.PROVINCE,
        "UBND tỉnh Điện Biên",
        D.GOVERNMENT,
        "Ban Chỉ đạo Trung ương các chương trình MTQG",
        "bo-may",
        "Sớm thống nhất kiện toàn bộ máy tham gia giúp việc các chương trình MTQG cấp tỉnh, cấp huyện theo hướng "
        "chuyên trách.",
        date(2021, 12, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Đoàn công tác Ban Chỉ đạo Trung ương",
        D.GOVERNMENT,
        "Chính phủ, các bộ, ngành liên quan",
        "nguon-von",
        "Kiến nghị bố trí vốn ưu tiên hỗ trợ, giúp đỡ tỉnh Điện Biên thực hiện các chương trình, dự án; "
        "tổng hợp báo cáo những kiến nghị, đề xuất của tỉnh Điện Biên tới Chính phủ, các bộ, ngành liên quan.",
        date(2020, 12, 31),
        "",
    ),
]
CB_FINDINGS = [
    (
        "result",
        "province",
        "ket-qua",
        "Đến hết tháng 1/2024, giải ngân vốn ngân sách Trung ương năm 2023 thực hiện các "
        "Chương trình MTQG (gồm vốn chuyển nguồn từ năm 2022) đạt 69,06%; vốn đối ứng ngân sách địa phương đạt 85,35%.",
        "disbursement unit=04 year=2023 as_of=2024-01-31 include_carry_over=1",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Chương trình NTM: duy trì 17 xã đạt chuẩn nông thôn mới; thêm 5 xã đạt 17-18 "
        "tiêu chí; bình quân toàn tỉnh 13 tiêu chí/xã.",
        "ntm-summary unit=04",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Chương trình giảm nghèo bền vững: đầu tư 177 công trình hạ tầng; duy tu 10 công "
        "trình giao thông liên xã; trên 200 dự án hỗ trợ phát triển sản xuất cộng đồng; 94 dự án/kế hoạch hỗ trợ sản "
        "xuất nông nghiệp; hỗ trợ 3.412 nhà ở cho hộ nghèo, cận nghèo.",
        "outputs unit=04 year=2023",
    ),
    (
        "result",
        "province",
        "ket-qua",
        "Chương trình vùng DTTS&MN: giải quyết đất ở, nhà ở, đất sản xuất cho 186/550 "
        "nhà; nước sinh hoạt phân tán 2.427/6.269 hộ; 62/86 công trình nước sinh hoạt tập trung; bảo vệ rừng trên "
        "250.000 ha.",
        "outputs unit=04 year=2023",
    ),
    (
        "difficulty",
        "province",
        "dau-tu-dan-trai",
        "Cấp địa phương khi triển khai các dự án đầu tư còn dàn trải, nhỏ lẻ.",
        "",
    ),
    (
        "difficulty",
        "province",
        "sinh-ke",
        "Đầu tư giảm nghèo bền vững chưa thực hiện được các mô hình lớn, giảm nghèo "
        "phải theo chuỗi giá trị, tạo sinh kế bền vững lâu dài cho người dân thoát nghèo bền vững.",
        "",
    ),
    (
        "difficulty",
        "province",
        "ha-tang-so",
        "Tỉnh còn xã trắng về đài truyền thanh và sóng điện thoại di động.",
        "",
    ),
]
CB_RECS = [
    (
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        D.NATIONAL_ASSEMBLY,
        "Quốc hội",
        "co-che-chinh-sach",
        "Sớm ban hành Nghị quyết về cơ chế đặc thù trong quản lý, tổ chức thực hiện các Chương trình MTQG để các địa "
        "phương linh hoạt trong triển khai thực hiện, đảm bảo chỉ tiêu đã đề ra.",
        date(2024, 6, 30),
        "",
    ),
    (
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        D.GOVERNMENT,
        "Bộ Thông tin và Truyền thông",
        "ha-tang-so",
        "Quan tâm bố trí nguồn lực phát triển, hoàn thiện hệ thống cơ sở hạ tầng số, chuyển đổi số trong nông nghiệp, "
        "nông thôn; tăng cường ứng dụng công nghệ thông tin trong thực hiện các dịch vụ hành chính công.",
        None,
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Ban Chỉ đạo các Chương trình MTQG tỉnh Cao Bằng",
        "giai-ngan-cham",
        "Khẩn trương giải ngân các nguồn vốn đầu tư ba Chương trình MTQG đúng tiến độ, kế hoạch năm "
        "2024-2025.",
        date(2025, 12, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        "dau-tu-dan-trai",
        "Rà soát triển khai các dự án, đảm bảo đầu tư theo phân cấp.",
        date(2024, 6, 30),
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        "co-che-chinh-sach",
        "Rà soát văn bản địa phương ban hành đối chiếu với chỉ đạo của Bộ, ngành Trung ương, nếu có bất cập đề xuất "
        "ngay để điều chỉnh lại cho phù hợp.",
        date(2024, 6, 30),
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        "giai-ngan-cham",
        "Tăng cường kiểm tra, giám sát phân cấp đầu tư, chậm giải ngân và tìm ra nguyên nhân đề xuất điều chỉnh kịp thời.",
        date(2024, 12, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        "ha-tang-so",
        "Tăng cường đầu tư thông tin, truyền thông cho cơ sở, không để các xã, huyện, tỉnh miền núi tụt hậu về ứng dụng "
        "khoa học và công nghệ thông tin.",
        date(2025, 12, 31),
        "",
    ),
    (
        D.DELEGATION,
        "Thứ trưởng Bộ TT&TT Bùi Hoàng Phương",
        D.PROVINCE,
        "Tỉnh Cao Bằng",
        "sinh-ke",
        "Đề xuất chương trình đưa sản phẩm OCOP lên sàn thương mại điện tử được hỗ trợ quảng bá miễn phí.",
        date(2024, 9, 30),
        "",
    ),
]
# Illustrative follow-ups: (mission key, recommendation index, reported_on, content, new_status, reason, close)
FOLLOWUPS = [
    (
        "db",
        0,
        date(2021, 6, 30),
        "[Minh họa] Tỉnh rà soát danh mục đầu tư, tập trung vốn cho các xã phấn đấu đạt chuẩn.",
        "in_progress",
        "",
        False,
    ),
    (
        "db",
        2,
        date(2021, 1, 20),
        "[Minh họa] Đã phân bổ vốn sự nghiệp cho các huyện.",
        "in_progress",
        "",
        True,
    ),
    (
        "db",
        7,
        date(2021, 3, 1),
        "[Minh họa] Đã chuyển kiến nghị tới cơ quan thường trực Chương trình.",
        "",
        "",
        False,
    ),
    (
        "db",
        8,
        date(2022, 3, 1),
        "[Minh họa] Chưa thống nhất mô hình bộ máy chuyên trách.",
        "not_done",
        "[Minh họa] Theo hướng dẫn của Trung ương, bộ máy giúp việc kiêm nhiệm, không thành lập bộ máy chuyên trách.",
        False,
    ),
    ("db", 9, date(2020, 12, 15), "[Minh họa] Đoàn đã tổng hợp báo cáo kiến nghị của tỉnh.", "", "", True),
    (
        "cb",
        2,
        date(2024, 7, 31),
        "[Minh họa] Tỉnh ban hành kế hoạch giải ngân theo tháng.",
        "in_progress",
        "",
        False,
    ),
    (
        "cb",
        3,
        date(2024, 5, 15),
        "[Minh họa] Đã rà soát danh mục dự án theo phân cấp.",
        "in_progress",
        "",
        True,
    ),
    (
        "cb",
        7,
        date(2024, 12, 1),
        "[Minh họa] Chưa bố trí được kinh phí quảng bá.",
        "not_done",
        "[Minh họa] Chưa có nguồn kinh phí hỗ trợ.",
        False,
    ),
]


def _unit(code: str) -> UnitVersion:
    return UnitVersion.objects.get(structure="pre2025", level=1, code=code)


def _build(mission: Mission, findings: list[Any], recs: list[Any]) -> list[Recommendation]:
    for kind, raised_by, theme, content, ref in findings:
        services.finding_create(
            actor=None,
            mission=mission,
            kind=kind,
            raised_by=raised_by,
            theme=theme,
            content=content,
            evidence_ref=ref,
        )
    return [
        services.recommendation_create(
            actor=None,
            mission=mission,
            from_party=fp,
            from_name=fn,
            to_party=tp,
            to_name=tn,
            theme=theme,
            content=content,
            deadline=deadline,
            responsible_name=resp,
        )
        for fp, fn, tp, tn, theme, content, deadline, resp in recs
    ]


# The two briefings of the articles, signed off by the demo (system) so the snapshot screens have content.
DEMO_BRIEFINGS = [
    {"unit": "11", "year": "2020", "as_of": "2020-11-30"},
    {"unit": "04", "year": "2023", "as_of": "2024-01-31", "include_carry_over": "1"},
]


def seed() -> int:
    """Deterministic and idempotent: returns the number of missions created (0 on a second run); then signs off the
    two demo briefings once (computed from the other apps' demo records, never stored totals)."""
    created = seed_missions()
    seed_briefings()
    return created


def seed_briefings() -> int:
    made = 0
    for raw in DEMO_BRIEFINGS:
        marker = {**raw, "demo": "1"}
        if Snapshot.objects.filter(report="briefing", params=marker).exists():
            continue
        run = reporting.prepare(None, "briefing", raw)
        try:
            data = reporting.compute(None, run)
            reporting.ensure_complete(data)
        except ValidationError:  # the other apps' demo data is not there (partial demo): nothing to sign
            continue
        services.snapshot_create(
            actor=None,
            report="briefing",
            unit=run.params.unit,
            figures=data,
            params=marker,
            rendered=render("briefing", data, "docx"),
            rendered_name=run.filename("docx"),
        )
        made += 1
    return made


@transaction.atomic
def seed_missions() -> int:
    if Mission.objects.filter(source__in=[SOURCE_DB, SOURCE_CB]).exists():
        return 0
    db = services.mission_create(
        actor=None,
        kind=Mission.Kind.WORKING,
        organiser=Mission.Organiser.CENTRAL_STEERING,
        organiser_name="Ban Chỉ đạo Trung ương các chương trình mục tiêu quốc gia",
        title="Đoàn công tác của Ban Chỉ đạo Trung ương các chương trình MTQG làm việc với UBND tỉnh Điện Biên",
        leader="Phạm Anh Tuấn, Thứ trưởng Bộ Thông tin và Truyền thông, thành viên Ban Chỉ đạo Trung ương",
        members="Đại diện lãnh đạo Viện Chiến lược TT&TT, Cục Tin học hóa - Bộ TT&TT",
        unit=_unit("11"),
        start_date=date(2020, 11, 4),
        programs=["NTM", "GNBV"],
        agenda=(
            "Kết quả thực hiện Chương trình MTQG xây dựng NTM và giảm nghèo bền vững giai đoạn 2016 - 2020; tình hình "
            "công tác TT&TT và kết quả xây dựng Chính quyền điện tử năm 2020; 1 năm thực hiện Biên bản ghi nhớ giữa "
            "Bộ TT&TT và UBND tỉnh về hợp tác phát triển TT&TT. Phía tỉnh: đồng chí Lê Thành Đô, Phó Bí thư Tỉnh ủy, "
            "Chủ tịch UBND tỉnh; Chu Xuân Trường, Giám đốc Sở TT&TT; lãnh đạo các sở, ngành; doanh nghiệp bưu chính, "
            "viễn thông."
        ),
        source=SOURCE_DB,
    )
    services.agreement_create(
        actor=None,
        mission=db,
        title="Biên bản ghi nhớ về hợp tác phát triển thông tin và truyền thông giai đoạn 2021 – 2025",
        parties="Bộ Thông tin và Truyền thông – UBND tỉnh Điện Biên",
        signed_on=date(2020, 11, 4),
        period="2021-2025",
        summary=(
            "Tham vấn, chia sẻ thông tin; phối hợp quản lý nhà nước trên địa bàn; đồng tổ chức hội nghị, hội thảo; "
            "đào tạo, tập huấn cán bộ; triển khai các chương trình, đề án, dự án về TT&TT tại địa phương."
        ),
    )
    cb = services.mission_create(
        actor=None,
        kind=Mission.Kind.SUPERVISION,
        organiser=Mission.Organiser.OTHER,
        organiser_name="Đoàn giám sát kết quả thực hiện các Chương trình MTQG (bài viết không nêu cơ quan tổ chức)",
        title="Giám sát kết quả thực hiện các Chương trình mục tiêu quốc gia tại Cao Bằng",
        leader="Bùi Hoàng Phương, Thứ trưởng Bộ Thông tin và Truyền thông (kết luận buổi làm việc)",
        unit=_unit("04"),
        start_date=date(2024, 2, 1),
        programs=["NTM", "GNBV", "DTTS"],
        agenda="Kết quả thực hiện ba Chương trình MTQG năm 2023 và giải ngân vốn đến hết tháng 1/2024.",
        source=SOURCE_CB,
    )
    recs = {"db": _build(db, DB_FINDINGS, DB_RECS), "cb": _build(cb, CB_FINDINGS, CB_RECS)}
    for key, index, on, content, status, reason, close in FOLLOWUPS:
        rec = recs[key][index]
        services.followup_create(
            actor=None, recommendation=rec, reported_on=on, content=content, new_status=status, reason=reason
        )
        if close:
            services.recommendation_close(actor=None, recommendation=rec)
    return 2
