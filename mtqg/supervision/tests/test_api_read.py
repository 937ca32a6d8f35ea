"""Read API of the supervision app (findings, follow-ups, agreements, snapshots): fields, filters, no author
account on follow-ups, no file bytes in snapshots (scope, 404, anonymous, pagination, query count: the mixin)."""

from __future__ import annotations

from datetime import date

from django.test import TestCase

from mtqg.api.tests.mixins import ScopedReadApiMixin
from mtqg.testing import make_world

from ..models import Agreement, Finding, FollowUp, Snapshot
from .factories import make_mission, make_recommendation


class SupervisionReadApiTest(ScopedReadApiMixin, TestCase):
    endpoints = {
        "/api/v1/supervision/findings/": "finding",
        "/api/v1/supervision/follow-ups/": "follow_up",
        "/api/v1/supervision/agreements/": "agreement",
        "/api/v1/supervision/snapshots/": "snapshot",
    }

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.objs: dict[str, dict[str, object]] = {}
        for key, province, on in (
            ("db", cls.world.dien_bien_old, date(2020, 11, 4)),
            ("cb", cls.world.cao_bang_old, date(2024, 5, 20)),
        ):
            mission = make_mission(province, title=f"Đoàn {key}", on=on)
            finding = Finding.objects.create(
                mission=mission,
                kind="difficulty",
                raised_by="province",
                theme="sinh-ke",
                content=f"Khó khăn {key}",
            )
            Finding.objects.create(
                mission=mission, kind="result", raised_by="delegation", theme="ha-tang", content="Kết quả"
            )
            agreement = Agreement.objects.create(
                mission=mission,
                title=f"Thỏa thuận {key}",
                parties="Tỉnh; Bộ",
                signed_on=on,
                period="2021-2025",
            )
            rec = make_recommendation(mission, content=f"Kiến nghị {key}", deadline=date(2021, 1, 1))
            follow_up = FollowUp.objects.create(
                recommendation=rec,
                reported_on=date(2020, 12, 1),
                content=f"Đã triển khai {key}",
                new_status="in_progress",
                author=cls.world.dien_bien_officer,
            )
            snap = Snapshot(
                report="briefing",
                unit=province,
                figures={"ho_ngheo": 1234},
                rendered=b"%PDF-1.4 body",
                rendered_name="bao-cao.pdf",
                author=cls.world.dien_bien_officer,
            )
            snap.save()
            cls.objs[key] = {
                "finding": finding,
                "agreement": agreement,
                "follow_up": follow_up,
                "snapshot": snap,
            }
        cls.own, cls.other = cls.objs["db"], cls.objs["cb"]

    def test_findings(self) -> None:
        url = "/api/v1/supervision/findings/"
        row = self.detail(url)
        self.assertEqual(
            (row["content"], row["kind"], row["theme"]), ("Khó khăn db", "difficulty", "sinh-ke")
        )
        self.assertEqual(row["mission_title"], "Đoàn db")
        self.assertTrue(row["theme_label"])
        self.assertEqual(self.client.get(url).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"kind": "result"}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"year": 2020, "unit": "11"}).json()["count"], 2)
        self.assertEqual(self.client.get(url, {"year": 2024}).json()["count"], 0)
        bad = self.client.get(url, {"kind": "rumour"})
        self.assertEqual(bad.status_code, 400)
        self.assertIn("kind", bad.json()["error"]["fields"])

    def test_follow_ups_without_author(self) -> None:
        url = "/api/v1/supervision/follow-ups/"
        row = self.detail(url)
        self.assertEqual(
            (row["content"], row["new_status"], row["reported_on"]),
            ("Đã triển khai db", "in_progress", "2020-12-01"),
        )
        self.assertNotIn("author", row)
        self.assertNotIn("db_officer", self.client.get(url).content.decode())
        rec_id = row["recommendation"]
        self.assertEqual(self.client.get(url, {"recommendation": rec_id}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"year": 2019}).json()["count"], 0)

    def test_agreements(self) -> None:
        url = "/api/v1/supervision/agreements/"
        row = self.detail(url)
        self.assertEqual(
            (row["title"], row["period"], row["signed_on"]), ("Thỏa thuận db", "2021-2025", "2020-11-04")
        )
        self.assertEqual(self.client.get(url, {"year": 2020}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"unit": "04"}).json()["count"], 0)

    def test_snapshots(self) -> None:
        url = "/api/v1/supervision/snapshots/"
        listed = self.client.get(url).json()["results"]
        self.assertEqual(len(listed), 1)
        self.assertNotIn("figures", listed[0])
        self.assertNotIn("rendered", listed[0])
        row = self.detail(url)
        self.assertEqual(row["figures"], {"ho_ngheo": 1234})
        self.assertTrue(row["intact"])
        self.assertEqual(row["author_name"], "db_officer")
        self.assertEqual(row["sha256"], self.objs["db"]["snapshot"].sha256)
        download = self.client.get(row["download_url"])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(
            b"".join(download.streaming_content) if download.streaming else download.content, b"%PDF-1.4 body"
        )
        self.assertEqual(self.client.get(url, {"report": "briefing", "unit": "11"}).json()["count"], 1)
        self.assertEqual(self.client.get(url, {"report": "other"}).json()["count"], 0)
