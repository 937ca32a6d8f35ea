"""Real-browser walk-through of issue 7: the administrator loads the reporting calendars, the commune officer opens a
report, fills the grid with the keyboard (autosave per cell, a rule message under the field), submits; the province
approves (the report goes up to the central level) and the central officer approves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mtqg.accounts.demo import DEMO_PASSWORD
from mtqg.browser_tests.test_shell import _watch

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _login(context: Any, page: Any, live_url: str, username: str) -> None:
    context.clear_cookies()
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_report_from_draft_to_approved(browser_context: Any, live_url: str) -> None:
    # Django's admin (its own tab: it has no favicon link, so the browser's /favicon.ico 404 is not ours)
    admin = browser_context.new_page()
    _login(browser_context, admin, live_url, "admin")
    admin.goto(live_url + "/admin/workflow/reporttype/")
    admin.click("#workflow-load-calendars button")
    admin.wait_for_selector("text=Đã nạp lịch báo cáo")
    admin.close()

    page = browser_context.new_page()
    outside, errors = _watch(page)

    _login(browser_context, page, live_url, "xa.muongphang")
    page.goto(live_url + "/workflow/reports/")
    page.click("summary:has-text('Lập báo cáo mới')")
    form = "form[action$='/workflow/reports/new/']"
    page.select_option(f"{form} select[name=type]", "ntm_tien_do_quy")
    page.select_option(f"{form} select[name=period]", "2026-Q3")
    page.click(f"{form} button")
    page.wait_for_selector("#wf-grid")
    report_url = page.url

    # keyboard entry: Enter saves the cell and moves to the next one
    page.click("#v_so_tieu_chi_dat")
    for text in ("15", "19", "5.000.000.000", "6.000.000.000"):
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    page.wait_for_selector("text=Vốn giải ngân không được lớn hơn vốn kế hoạch.")
    assert page.input_value("#v_von_giai_ngan") == "6.000.000.000"  # the input is kept
    page.fill("#v_von_giai_ngan", "4.000.000.000")
    page.keyboard.press("Tab")
    page.wait_for_selector("#v_von_giai_ngan.is-valid")
    page.screenshot(path=str(SHOTS / "workflow-grid.png"), full_page=True)
    page.click("button:has-text('Nộp báo cáo')")
    page.wait_for_selector("text=Đã nộp báo cáo.")

    _login(browser_context, page, live_url, "dienbien")
    page.goto(report_url)
    page.click("#wf-actions button:has-text('Duyệt')")
    page.wait_for_selector("text=chờ cấp Trung ương duyệt")

    _login(browser_context, page, live_url, "trunguong")
    page.goto(report_url)
    page.click("#wf-actions button:has-text('Duyệt')")
    page.wait_for_selector("text=Đã duyệt báo cáo.")
    assert page.locator("#report-status").inner_text().startswith("Đã duyệt")
    assert (
        page.locator("table:has-text('Nhật ký quyết định'), h2:has-text('Nhật ký quyết định')").count() >= 1
    )
    page.screenshot(path=str(SHOTS / "workflow-approved.png"), full_page=True)

    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"
