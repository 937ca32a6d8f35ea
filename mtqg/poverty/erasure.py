"""Erasure of one household's personal data on legal request (Luật Bảo vệ dữ liệu cá nhân 2025; Nghị định
13/2023/NĐ-CP, Điều 16 — quyền xóa dữ liệu).

What goes: the head's name and its search form, the address and village name of the household; every member's
name, ID number and exact birth date (the birth YEAR is kept, set to 1 January, so age-band figures still add up);
the same fields in staged import rows carrying the household's code; names and ID numbers quoted in earlier
change records of the household and its members. What stays: the household code, commune, village unit, area,
ethnicity, every review (year, class, deprivations, policies) and each member's sex, relation, schooling,
insurance, disability and employment — everything the published figures are computed from.

Dry run by default: `household_erase(..., commit=False)` says what would change and writes nothing. With
commit=True everything happens in one transaction with one audited ChangeRecord (action "erased", the reason, and
counts only — no personal value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mtqg.core.audit import record_change
from mtqg.core.models import ChangeRecord
from mtqg.core.scoping import ensure_can_edit
from mtqg.core.versioning import version_claim

from .importing.staging import ADDRESS, CODE, HEAD_NAME, HEAD_SEARCH, chunk_rows, repack_households
from .models import Household, Member, StagedChunk, StagedMember

ERASED = "[đã xóa]"
PERSONAL_KEYS = (
    "head_name",
    "head_search",
    "address",
    "village_name",
    "full_name",
    "search_name",
    "id_number",
    "birth_date",
)


@dataclass
class ErasureReport:
    household_id: int
    code: str
    members: int = 0
    staged_rows: int = 0
    staged_members: int = 0
    change_records: int = 0
    committed: bool = False
    fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "household": self.code,
            "members": self.members,
            "staged_rows": self.staged_rows,
            "staged_members": self.staged_members,
            "change_records_scrubbed": self.change_records,
            "committed": self.committed,
        }


def _year_only(value: date | None) -> date | None:
    return date(value.year, 1, 1) if value else None


def _scrub(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (
            [ERASED if x not in (None, "") else x for x in v]
            if k in PERSONAL_KEYS and isinstance(v, list)
            else v
        )
        for k, v in changes.items()
    }


def _records(household: Household, member_ids: list[int]) -> Any:
    return ChangeRecord.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Household), object_id=str(household.pk))
        | Q(
            content_type=ContentType.objects.get_for_model(Member), object_id__in=[str(i) for i in member_ids]
        )
    ).exclude(action="erased")


@transaction.atomic
def _staged_chunks(code: str) -> list[tuple[StagedChunk, list[list[Any]], int]]:
    """Staged chunks holding the household's code: (chunk, its rows, how many of them carry the code). Staging is
    emptied at every commit or rejection, so only batches waiting for their checker are read."""
    out = []
    for chunk in StagedChunk.objects.select_for_update().order_by("pk"):
        rows = chunk_rows(chunk.lines, chunk.households, chunk.reviews)
        n = sum(1 for row in rows if row[CODE] == code)
        if n:
            out.append((chunk, rows, n))
    return out


def household_erase(*, actor: Any, household: Household, reason: str, commit: bool = False) -> ErasureReport:
    """Erase (irreversibly) the personal data of one household; see the module docstring."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Cần ghi rõ lý do xóa dữ liệu (căn cứ yêu cầu, số văn bản).")})
    household = Household.objects.select_for_update().select_related("commune").get(pk=household.pk)
    ensure_can_edit(actor, household.commune.path)
    members = list(Member.objects.filter(household=household).order_by("pk"))
    staged_chunks = _staged_chunks(household.code)
    staged_members = StagedMember.objects.filter(household_code=household.code)
    records = _records(household, [m.pk for m in members])
    report = ErasureReport(
        household_id=household.pk,
        code=household.code,
        members=len(members),
        staged_rows=sum(n for _chunk, _rows, n in staged_chunks),
        staged_members=staged_members.count(),
        change_records=records.count(),
        fields=[
            "head_name",
            "address",
            "village_name",
            "members.full_name",
            "members.id_number",
            "members.birth_date (giữ năm sinh)",
        ],
    )
    if not commit:
        return report
    household.head_name = ERASED
    household.head_search = ""
    household.address = ""
    household.village_name = ""
    moved: dict[str, list[Any]] = {}
    version_claim(household, None, moved)  # an edit form opened before the erasure can no longer save (0909)
    household.save(update_fields=["head_name", "head_search", "address", "village_name"])
    for member in members:
        member.full_name = ERASED
        member.search_name = ""
        member.id_number = ""
        member.birth_date = _year_only(member.birth_date)
    Member.objects.bulk_update(members, ["full_name", "search_name", "id_number", "birth_date"])
    for chunk, rows, _n in staged_chunks:
        for values in rows:
            if values[CODE] == household.code:
                values[HEAD_NAME], values[HEAD_SEARCH], values[ADDRESS] = ERASED, "", ""
        chunk.households = repack_households(chunk.households, rows)
        chunk.save(update_fields=["households"])
    staged = list(staged_members)
    for row in staged:
        row.full_name, row.search_name, row.id_number = ERASED, "", ""
        row.birth_date = _year_only(row.birth_date)
    StagedMember.objects.bulk_update(staged, ["full_name", "search_name", "id_number", "birth_date"])
    for record in records:
        record.changes = _scrub(record.changes or {})
        if record.content_type.model == "member":
            record.object_repr = ERASED
        record.save(update_fields=["changes", "object_repr"])
    report.committed = True
    record_change(
        actor=actor,
        obj=household,
        action="erased",
        changes={k: [None, v] for k, v in report.as_dict().items() if k not in ("household", "committed")}
        | moved,
        reason=reason,
    )
    return report
