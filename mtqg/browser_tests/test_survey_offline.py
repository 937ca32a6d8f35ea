"""Issue #23 part 5 in Chromium: the enumerator fills two households with the network switched off (Playwright
offline mode), reloads the page offline (served by the service worker), comes back online, syncs, and both
surveys are on the server. At 360 px wide, nothing scrolls sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from mtqg.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _login(page: Any, live_url: str) -> None:
    """The demo enumerator signs in."""
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_username", "dieutravien")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")


def _fill(page: Any, household_id: int, deprived: int, override: dict[str, str] | None = None) -> None:
    """Answer the form; `override`: B2 codes answered "no" against the member data, with the note typed."""
    page.click(f"#field-list button[data-household='{household_id}']")
    page.wait_for_selector("#field-survey")
    form = page.evaluate(
        "id => { const d = JSON.parse(localStorage.getItem('mtqg.field.data'));"
        " const h = d.households.find(x => x.id === id); return d.forms[h.form].questions; }",
        household_id,
    )
    for q in form["a"]:
        page.check(f"#field-survey input[name={q['id']}][value=no]")
    for q in form["b1"]:
        if q.get("type") == "multi":
            page.check(f"#field-survey input[name={q['id']}][value={q['options'][1]['value']}]")
        else:
            page.select_option(f"#field-survey select[name={q['id']}]", q["options"][-1]["value"])
    for i, q in enumerate(form["b2"]):
        if override is not None and q["code"] in override:
            page.check(f"#field-survey input[name={q['id']}][value=no]")
            note = f"#field-survey input[data-note={q['code']}]"
            assert page.is_visible(note)  # shown only when the answer differs from the member data
            page.fill(note, override[q["code"]])
            continue
        page.check(f"#field-survey input[name={q['id']}][value={'yes' if i < deprived else 'no'}]")
    assert "Phân loại (tạm tính)" in page.inner_text("#field-result")
    page.click("#field-survey button[type=submit]")
    page.wait_for_selector("#field-list .hh")


def test_fill_two_households_offline_reload_and_sync(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
    _login(page, live_url)
    page.goto(live_url + "/ra-soat/app/")
    page.wait_for_selector("#field-app[data-ready='1']", timeout=20_000)
    # every render carries a fresh marker: the copy the service worker keeps must be what reloads offline
    cached = page.evaluate(
        "caches.match('/ra-soat/app/', {ignoreVary: true}).then(r => r.text())"
        '.then(t => t.match(/data-rendered="(\\w+)"/)[1])'
    )
    page.click("#field-download")
    page.wait_for_selector("#field-list .hh")
    households = page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.data')).households")
    assert len(households) == 6  # the enumerator's two villages, three households each
    ids = [h["id"] for h in households if not h["derived"]]  # Bản Co Thón: no members in the register
    try:
        browser_context.set_offline(True)
        assert page.evaluate("fetch('/healthz').then(() => 'online', () => 'offline')") == "offline"
        _fill(page, ids[0], deprived=3)
        _fill(page, ids[1], deprived=1)
        page.reload()
        page.wait_for_selector("#field-list .hh")
        assert page.get_attribute("#field-app", "data-rendered") == cached  # the kept page, not a new render
        assert "2 phiếu chờ đồng bộ" in page.inner_text("#field-status")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(SHOTS / "survey-offline-360.png"), full_page=True)
    finally:
        browser_context.set_offline(False)
    page.click("#field-sync")
    page.wait_for_selector("text=Đã đồng bộ 2 phiếu")
    server = page.evaluate("fetch('/api/v1/survey/download/').then(r => r.json())")
    saved = {h["id"]: h for h in server["households"] if h["version"] == 1}
    assert set(saved) == {ids[0], ids[1]}
    assert saved[ids[0]]["answers"]["b2_viec_lam"] is True
    assert page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.queue')).length") == 0
    assert outside == []
    page.close()


def _login_and_download(page: Any, live_url: str) -> list[dict[str, Any]]:
    _login(page, live_url)
    page.goto(live_url + "/ra-soat/app/")
    page.wait_for_selector("#field-app[data-ready='1']", timeout=20_000)
    page.click("#field-download")
    page.wait_for_selector("#field-messages >> text=Đã tải 6 hộ")  # not the list kept from an earlier test
    return list(page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.data')).households"))


def test_override_of_member_data_offline_needs_a_note_to_sync(browser_context: Any, live_url: str) -> None:
    """Bản Khá's heads have no health insurance in the register: answering "not deprived" offline shows a note box;
    with the note the form syncs, without it the server refuses that form (Vietnamese message), the rest of the
    batch is saved and the refused form stays on the device until the note is added."""
    page = browser_context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    households = _login_and_download(page, live_url)
    kha = [h for h in households if h["derived"].get("bhyt", {}).get("deprived")]
    assert len(kha) == 3
    assert "Không có BHYT" in kha[0]["derived"]["bhyt"]["reason"]
    noted, unnoted = kha[0]["id"], kha[1]["id"]
    try:
        browser_context.set_offline(True)
        page.click(f"#field-list button[data-household='{noted}']")
        page.wait_for_selector("#field-survey [data-derived=bhyt]")
        assert "Theo dữ liệu thành viên: Thiếu hụt" in page.inner_text("#field-survey [data-derived=bhyt]")
        assert not page.is_visible("#field-survey input[data-note=bhyt]")  # agrees with the members: no note
        page.click("#field-survey button[type=button]")  # back to the list
        _fill(page, noted, deprived=0, override={"bhyt": "Hộ vừa được cấp thẻ BHYT tháng 10/2025"})
        _fill(page, unnoted, deprived=0, override={"bhyt": ""})
        assert "cần ghi chú lý do điều chỉnh" in page.inner_text("#field-messages")
        assert "cần ghi chú điều chỉnh" in page.inner_text(
            f"#field-list .hh:has(button[data-household='{unnoted}'])"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        browser_context.set_offline(False)
    page.click("#field-sync")
    page.wait_for_selector("text=Đã đồng bộ 1 phiếu")
    message = page.inner_text("#field-messages")
    assert "Bảo hiểm y tế: trả lời khác dữ liệu thành viên" in message
    assert "cần ghi chú lý do điều chỉnh" in message
    queue = page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.queue'))")
    assert [q["household"] for q in queue] == [unnoted]  # kept on the device, answers intact
    assert queue[0]["answers"]["b2_bhyt"] is False
    page.screenshot(path=str(SHOTS / "survey-override-360.png"), full_page=True)
    # add the note on the device and sync again
    page.click(f"#field-list button[data-household='{unnoted}']")
    page.wait_for_selector("#field-survey input[data-note=bhyt]")
    assert page.is_visible("#field-survey input[data-note=bhyt]")
    page.fill("#field-survey input[data-note=bhyt]", "Thẻ BHYT hộ nghèo cấp lại")
    page.click("#field-survey button[type=submit]")
    page.wait_for_selector("#field-list .hh")
    page.click("#field-sync")
    page.wait_for_selector("text=Đã đồng bộ 1 phiếu.")
    assert page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.queue')).length") == 0
    server = page.evaluate("fetch('/api/v1/survey/download/').then(r => r.json())")
    notes = {h["id"]: h["notes"] for h in server["households"]}
    assert notes[noted] == {"bhyt": "Hộ vừa được cấp thẻ BHYT tháng 10/2025"}
    assert notes[unnoted] == {"bhyt": "Thẻ BHYT hộ nghèo cấp lại"}
    page.close()


def test_field_app_in_english_also_offline(browser_context: Any, live_url: str) -> None:
    """The field app's words come from the JavaScript catalogue (/jsi18n/, djangojs.po; decision 0060); the service
    worker keeps the catalogue, so the app reloaded with no connection still speaks the language it was opened in."""
    context = browser_context.browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, live_url)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_url}])
    page.goto(live_url + "/ra-soat/app/")
    page.wait_for_selector("#field-app[data-ready='1']", timeout=20_000)
    page.click("#field-download")
    page.wait_for_selector("#field-messages >> text=Downloaded 6 households.")
    assert "forms waiting to sync" in page.inner_text("#field-status")
    assert page.evaluate("caches.match('/jsi18n/', {ignoreSearch: true}).then(r => !!r)")
    try:
        context.set_offline(True)
        page.reload()
        page.wait_for_selector("#field-list .hh")
        assert "Offline — data kept on this device" in page.inner_text("#field-status")
        page.click("#field-list button[data-household]")
        page.wait_for_selector("#field-survey")
        form = page.inner_text("#field-survey")
        assert "Form A — quick identification" in form and "Save on this device" in form, form
        assert "Class (provisional)" in page.inner_text("#field-result")
    finally:
        context.set_offline(False)
    context.close()
