"""Real-browser checks of the shell: login, home, unit tree of both provinces, unit picker search.
Every request must stay on 127.0.0.1 and the console must stay free of errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from mtqg.accounts.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _watch(page: Any) -> tuple[list[str], list[str]]:
    outside: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", None) and not r.url.startswith("data:")
            else None
        ),
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return outside, errors


def test_login_tree_and_picker(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    outside, errors = _watch(page)
    page.goto(live_url + "/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "dienbien")
    page.fill("#id_password", "sai")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger").inner_text().startswith("Tên đăng nhập hoặc mật khẩu không đúng")
    page.fill("#id_username", "dienbien")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đơn vị của tôi")
    assert page.locator(".card-title").first.inner_text() == "Tỉnh Điện Biên"
    page.screenshot(path=str(SHOTS / "home.png"), full_page=True)

    page.goto(live_url + "/units/")
    nodes = page.locator("#unit-tree > ul > li.unit-node")
    assert nodes.count() == 2  # Điện Biên after and before the reform
    nodes.nth(1).locator("button").click()  # expand pre-2025 province → districts
    page.wait_for_selector("text=Huyện Mường Nhé")
    page.screenshot(path=str(SHOTS / "unit-tree.png"), full_page=True)

    page.click("text=Chọn đơn vị")
    page.fill("#unit-picker input[type=search]", "muong phang")
    page.wait_for_selector("#unit-picker-results a")
    results = page.locator("#unit-picker-results a")
    assert results.count() == 2
    assert "Xã Mường Phăng" in results.first.inner_text()
    results.last.click()
    page.wait_for_selector("h1:has-text('Xã Mường Phăng')")
    assert page.locator(".breadcrumb").inner_text().count("Tỉnh Điện Biên") == 1
    page.screenshot(path=str(SHOTS / "unit-detail.png"), full_page=True)

    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"
