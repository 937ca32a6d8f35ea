"""Part 5 (server side): download, the idempotent batch sync with per-item Vietnamese errors, revoked devices,
and conflicts with office edits resolved field by field by a person."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import TestCase
from django.utils import timezone

from mtqg.core.models import ChangeRecord
from mtqg.survey.models import CampaignHousehold, Device, SurveyResponse, SyncConflict, SyncItem
from mtqg.survey.services import response_save
from mtqg.testing import make_world

from .factories import ANSWERS_POOR, assign, make_campaign, make_enumerator

URL = "/api/v1/survey/sync/"


class SyncTest(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = make_world()
        cls.campaign = make_campaign(cls.world.muong_phang, villages=2, per_village=2, prefix="SY")
        cls.enumerator = make_enumerator("dtv-sync")
        assign(cls.campaign, 1, cls.enumerator)
        items = CampaignHousehold.objects.filter(campaign=cls.campaign).order_by("household__code")
        cls.mine = list(items.filter(household__code__startswith="SY-1"))
        cls.other = items.get(household__code="SY-2-0")

    def _post(self, items: list[dict[str, Any]], device: str = "device-0001") -> Any:
        self.client.force_login(self.enumerator)
        return self.client.post(URL, {"device_id": device, "items": items}, content_type="application/json")

    def _item(
        self, target: CampaignHousehold, answers: dict[str, Any] | None = None, **extra: Any
    ) -> dict[str, Any]:
        return {
            "client_id": str(uuid.uuid4()),
            "household": target.pk,
            "base_version": 0,
            "answers": answers or ANSWERS_POOR,
            **extra,
        }

    def test_download_holds_only_the_enumerators_villages_and_the_forms(self) -> None:
        self.client.force_login(self.enumerator)
        data = self.client.get("/api/v1/survey/download/").json()
        self.assertEqual([h["code"] for h in data["households"]], ["SY-1-0", "SY-1-1"])
        self.assertEqual(data["households"][0]["region"], "tdmnpb")
        form = data["forms"]["tt07_2021"]
        self.assertEqual(len(form["questions"]["b2"]), 12)
        self.assertEqual(form["standard"]["lines"]["rural"]["line"], 1_500_000)

    def test_valid_part_saved_bad_items_reported_in_vietnamese(self) -> None:
        partial = {k: v for k, v in ANSWERS_POOR.items() if not k.startswith("b2_")}
        members = [
            {"full_name": "Lò Văn Bố", "birth_date": "2001-05-01", "relation": "Chủ hộ"},
            {"full_name": "Lò Văn Con", "birth_date": "1999-03-02", "relation": "Con"},
        ]
        batch = [
            self._item(self.mine[0]),
            self._item(self.mine[1], partial),
            self._item(self.mine[1], members=members),
            self._item(self.other),
            {"client_id": "not-a-uuid", "household": self.mine[1].pk, "answers": {}},
        ]
        body = self._post(batch).json()
        statuses = [r["status"] for r in body["results"]]
        self.assertEqual(statuses, ["saved", "error", "error", "error", "error"])
        messages = [r["message"] for r in body["results"]]
        self.assertIn("Thiếu câu trả lời bắt buộc: Việc làm", messages[1])
        self.assertIn(
            "Lò Văn Bố (sinh 01/05/2001) không thể là cha, mẹ của Lò Văn Con (sinh 02/03/1999)", messages[2]
        )
        self.assertIn("thuộc thôn ngoài phạm vi được giao cho bạn", messages[3])
        self.assertIn("client_id", messages[4])
        self.assertEqual(body["saved"], 1)
        self.assertEqual(
            list(SurveyResponse.objects.values_list("item__household__code", flat=True)), ["SY-1-0"]
        )
        self.assertEqual(
            SyncItem.objects.count(), 1
        )  # bad items are not remembered: fixed, they can be re-sent
        response = SurveyResponse.objects.get()
        self.assertEqual((response.poverty_class, response.device.device_id), ("poor", "device-0001"))
        self.assertTrue(ChangeRecord.objects.filter(action="surveyed", object_id=str(response.pk)).exists())

    def test_resending_a_batch_writes_nothing_twice(self) -> None:
        batch = [self._item(self.mine[0]), self._item(self.mine[1])]
        first = self._post(batch).json()
        again = self._post(batch).json()
        self.assertEqual(first["saved"], 2)
        self.assertEqual(again["saved"], 0)
        self.assertEqual([r["status"] for r in again["results"]], ["saved", "saved"])
        self.assertEqual(SurveyResponse.objects.count(), 2)
        self.assertEqual(set(SurveyResponse.objects.values_list("version", flat=True)), {1})

    def test_revoked_device_is_refused_and_nothing_written(self) -> None:
        Device.objects.create(user=self.enumerator, device_id="device-lost", revoked_at=timezone.now())
        response = self._post([self._item(self.mine[0])], device="device-lost")
        self.assertEqual(response.status_code, 403)
        self.assertIn("Thiết bị này đã bị thu hồi", response.json()["error"]["message"])
        self.assertFalse(SurveyResponse.objects.exists())

    def test_office_edit_then_device_sync_is_a_conflict_resolved_field_by_field(self) -> None:
        office = {**ANSWERS_POOR, "b1_house": "ban_kien_co"}
        response_save(actor=self.world.commune_officer, item=self.mine[0], answers=office, expected_version=0)
        device = {**ANSWERS_POOR, "b2_nha_tieu": False, "b1_members": "7+"}
        body = self._post([self._item(self.mine[0], device)]).json()
        self.assertEqual(body["results"][0]["status"], "conflict")
        self.assertIn("đã được sửa tại xã", body["results"][0]["message"])
        saved = SurveyResponse.objects.get()
        self.assertEqual(
            (saved.answers, saved.version), (office, 1)
        )  # the office's answers are not overwritten
        conflict = SyncConflict.objects.get()
        self.client.force_login(self.world.commune_officer)
        page = self.client.get(f"/ra-soat/xung-dot/{conflict.pk}/")
        self.assertContains(page, "Loại nhà đang ở")
        self.assertContains(page, "Nhà tiêu hợp vệ sinh")
        self.assertContains(page, "Số nhân khẩu của hộ")
        refused = self.client.post(f"/ra-soat/xung-dot/{conflict.pk}/", {"f_b1_house": "server"})
        self.assertContains(refused, "Chưa chọn giá trị cho")
        self.client.post(
            f"/ra-soat/xung-dot/{conflict.pk}/",
            {
                "f_b1_house": "server",
                "f_b2_nha_tieu": "device",
                "f_b1_members": "server",
                "reason": "hỏi lại hộ",
            },
        )
        saved.refresh_from_db()
        conflict.refresh_from_db()
        self.assertEqual(saved.version, 2)
        self.assertEqual(
            (saved.answers["b1_house"], saved.answers["b2_nha_tieu"], saved.answers["b1_members"]),
            ("ban_kien_co", False, "5-6"),
        )
        self.assertEqual(
            saved.poverty_class, "near_poor"
        )  # 2 deprivations once the latrine answer is taken from the device
        self.assertEqual(conflict.resolved_by, self.world.commune_officer)
        self.assertEqual(CampaignHousehold.objects.get(pk=self.mine[0].pk).status, "surveyed")

    def test_preview_api_evaluates_on_the_server_and_is_scoped(self) -> None:
        self.client.force_login(self.enumerator)
        url = "/api/v1/survey/preview/"
        body = self.client.post(
            url, {"household": self.mine[0].pk, "answers": ANSWERS_POOR}, content_type="application/json"
        ).json()
        self.assertEqual((body["class"], body["b1_score"], body["missing"]), ("poor", 40, []))
        partial = self.client.post(
            url,
            {"household": self.mine[0].pk, "answers": {"b1_members": "1"}},
            content_type="application/json",
        )
        self.assertEqual(len(partial.json()["missing"]), 23)  # 6 A + 5 single B1 + 12 B2
        bad = self.client.post(
            url, {"household": self.mine[0].pk, "answers": {"b1_house": "?"}}, content_type="application/json"
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(
            self.client.post(
                url, {"household": self.other.pk, "answers": {}}, content_type="application/json"
            ).status_code,
            404,
        )

    def test_view_only_users_cannot_sync_or_register_devices(self) -> None:
        self.client.force_login(self.world.supervisor)
        body = {"device_id": "device-supervisor", "items": [self._item(self.mine[0])]}
        response = self.client.post(URL, body, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Device.objects.filter(device_id="device-supervisor").exists())

    def test_download_gives_the_derived_answers_with_their_reasons(self) -> None:
        self.client.force_login(self.enumerator)
        first = self.client.get("/api/v1/survey/download/").json()["households"][0]
        # the factory's head (born 1980) has no health insurance: deprived, and the reason names him
        self.assertTrue(first["derived"]["bhyt"]["deprived"])
        self.assertIn("Không có BHYT: Lò Văn SY10", first["derived"]["bhyt"]["reason"])
        self.assertFalse(first["derived"]["nguoi_phu_thuoc"]["deprived"])
        self.assertEqual(first["notes"], {})

    def test_override_of_member_data_needs_a_note_and_records_who_and_when(self) -> None:
        against = {**ANSWERS_POOR, "b2_bhyt": False, "b2_viec_lam": True}  # the members say: no BHYT
        unnoted = self._item(self.mine[0], against)
        noted = self._item(self.mine[1], against, notes={"bhyt": "Hộ vừa được cấp thẻ BHYT tháng 10/2025"})
        body = self._post([unnoted, noted]).json()
        self.assertEqual([r["status"] for r in body["results"]], ["error", "saved"])
        self.assertIn("SY-1-0: Bảo hiểm y tế", body["results"][0]["message"])
        self.assertIn("trả lời khác dữ liệu thành viên (Không có BHYT", body["results"][0]["message"])
        self.assertIn("cần ghi chú lý do điều chỉnh", body["results"][0]["message"])
        saved = SurveyResponse.objects.get()  # the valid rest of the batch is saved, the unnoted one is not
        override = saved.overrides["bhyt"]
        self.assertEqual(
            (override["derived"], override["answer"], override["note"], override["by"], override["device"]),
            (True, False, "Hộ vừa được cấp thẻ BHYT tháng 10/2025", "dtv-sync", "device-0001"),
        )
        self.assertTrue(override["at"])
        self.assertNotIn("b2_bhyt", [f"b2_{c}" for c in saved.deprivations])
        # the refused item is not remembered: with the note added on the device it is accepted
        unnoted["notes"] = {"bhyt": "Thẻ BHYT hộ nghèo cấp lại"}
        again = self._post([unnoted]).json()
        self.assertEqual(again["results"][0]["status"], "saved")
        self.assertEqual(SurveyResponse.objects.get(item=self.mine[0]).overrides["bhyt"]["by"], "dtv-sync")

    def test_two_forms_for_one_household_in_a_batch_the_second_is_refused_cleanly(self) -> None:
        other = {**ANSWERS_POOR, "b1_members": "7+"}
        body = self._post(
            [self._item(self.mine[0]), self._item(self.mine[0], other), self._item(self.mine[1])]
        ).json()
        self.assertEqual([r["status"] for r in body["results"]], ["saved", "error", "saved"])
        self.assertIn("SY-1-0: phiếu vừa được người khác lưu", body["results"][1]["message"])
        saved = SurveyResponse.objects.get(item=self.mine[0])
        self.assertEqual((saved.version, saved.answers["b1_members"]), (1, "5-6"))
        self.assertEqual(
            SyncItem.objects.count(), 2
        )  # the refused one can be re-sent against the new version
