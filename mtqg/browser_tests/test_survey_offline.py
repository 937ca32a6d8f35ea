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


def _fill(page: Any, household_id: int, deprived: int) -> None:
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
        page.check(f"#field-survey input[name={q['id']}][value={'yes' if i < deprived else 'no'}]")
    assert "Phân loại (tạm tính)" in page.inner_text("#field-result")
    page.click("#field-survey button[type=submit]")
    page.wait_for_selector("#field-list .hh")


def test_fill_two_households_offline_reload_and_sync(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_username", "dieutravien")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_url + "/ra-soat/app/")
    page.wait_for_selector("#field-app[data-ready='1']", timeout=20_000)
    # every render carries a fresh marker: the copy the service worker keeps must be what reloads offline
    cached = page.evaluate(
        "caches.match('/ra-soat/app/', {ignoreVary: true}).then(r => r.text())"
        '.then(t => t.match(/data-rendered="(\\w+)"/)[1])'
    )
    page.click("#field-download")
    page.wait_for_selector("#field-list .hh")
    ids = page.evaluate("JSON.parse(localStorage.getItem('mtqg.field.data')).households.map(h => h.id)")
    assert len(ids) == 6  # the enumerator's two villages, three households each
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
