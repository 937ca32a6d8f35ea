"""Plain helpers that make supervision rows for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from mtqg.geo.models import UnitVersion
from mtqg.testing import World, guard_provinces

from .. import services
from ..models import (
    Agreement,
    Attachment,
    Finding,
    FollowUp,
    Mission,
    Recommendation,
    RenderedReport,
    Snapshot,
)


def make_mission(
    unit: UnitVersion, *, title: str = "Đoàn thử", on: date = date(2020, 11, 4), **kw: Any
) -> Mission:
    fields: dict[str, Any] = {
        "kind": Mission.Kind.WORKING,
        "organiser": Mission.Organiser.CENTRAL_STEERING,
        "leader": "Trưởng đoàn",
        "start_date": on,
        "end_date": on,
    }
    fields.update(kw)
    return Mission.objects.create(unit=unit, title=title, **fields)


def dien_bien_mission(world: World, title: str) -> Mission:
    """The central steering committee's working mission to Điện Biên of 04/11/2020, made through the service
    (audited) by the province's officer."""
    return services.mission_create(
        actor=world.dien_bien_officer,
        kind=Mission.Kind.WORKING,
        organiser=Mission.Organiser.CENTRAL_STEERING,
        title=title,
        leader="Phạm Anh Tuấn",
        unit=world.dien_bien_old,
        start_date=date(2020, 11, 4),
    )


def make_recommendation(mission: Mission, *, content: str = "Kiến nghị", **kw: Any) -> Recommendation:
    fields: dict[str, Any] = {
        "from_party": Recommendation.Party.DELEGATION,
        "to_party": Recommendation.Party.PROVINCE,
        "theme": "dau-tu-dan-trai",
    }
    fields.update(kw)
    return Recommendation.objects.create(mission=mission, content=content, **fields)


def guard_sample(world: World) -> list[str]:
    """Scope-guard rows of supervision and Điện Biên-only URLs (see accounts/tests/test_scoping_guard.py)."""
    urls: list[str] = []
    for province, marker in guard_provinces(world):
        mission = make_mission(province, title=f"Đoàn {marker}", agenda=marker)
        Attachment.objects.create(
            mission=mission,
            kind="minutes",
            caption=marker,
            file="supervision/x.pdf",
            content_type="application/pdf",
            size=4,
            sha256="0" * 64,
        )
        agreement = Agreement.objects.create(
            mission=mission, title=marker, parties=marker, signed_on=mission.start_date
        )
        finding = Finding.objects.create(
            mission=mission, kind="difficulty", raised_by="province", theme="sinh-ke", content=marker
        )
        rec = make_recommendation(mission, content=marker, deadline=date(2021, 1, 1))
        follow_up = FollowUp.objects.create(recommendation=rec, reported_on=date(2020, 12, 1), content=marker)
        snap = Snapshot(report="briefing", unit=province, figures={"note": marker})
        snap.save()
        owner = world.dien_bien_officer if marker == "GUARD-ĐB" else world.cao_bang_officer
        rendered = RenderedReport.objects.create(
            owner=owner,
            report="briefing",
            unit=province,
            fmt="json",
            content=marker.encode(),
            filename="x.json",
        )
        if marker == "GUARD-ĐB":
            urls += [
                f"/supervision/snapshots/{snap.pk}/",
                f"/supervision/reports/files/{rendered.pk}/",
                f"/supervision/missions/{mission.pk}/",
                f"/supervision/recommendations/{rec.pk}/",
                f"/api/v1/supervision/missions/{mission.pk}/",
                f"/api/v1/supervision/recommendations/{rec.pk}/",
                f"/api/v1/supervision/findings/{finding.pk}/",
                f"/api/v1/supervision/follow-ups/{follow_up.pk}/",
                f"/api/v1/supervision/agreements/{agreement.pk}/",
                f"/api/v1/supervision/snapshots/{snap.pk}/",
            ]
    return urls
