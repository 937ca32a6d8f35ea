"""Real-browser checks of the dashboards and the public portal: charts drawn (canvas), map markers, an XLSX
download, the portal without login. Every request must stay on 127.0.0.1; the console must stay free of errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mtqg.accounts.demo import DEMO_PASSWORD

from .test_shell import _watch

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def _login(page: Any, live_url: str, username: str) -> None:
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Đơn vị của tôi")


@contextmanager
def _watched_page(browser_context: Any, width: int, height: int) -> Iterator[tuple[Any, list[str]]]:
    """A page in a fresh Vietnamese browser context. When the block ends the context is closed, and no request may
    have left 127.0.0.1 and the console must have stayed free of errors."""
    context = browser_context.browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    outside, errors = _watch(page)
    yield page, errors
    context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"


def test_province_dashboards_map_and_xlsx(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    outside, errors = _watch(page)
    _login(page, live_url, "trunguong")
    for code, name in (("11", "Tỉnh Điện Biên"), ("04", "Tỉnh Cao Bằng")):
        page.goto(f"{live_url}/dashboards/?unit={code}")
        page.wait_for_selector(f"h1:has-text('{name}')")
        page.wait_for_selector("#chart-ntm_tiers canvas")
        # every chart is drawn, or says in words that nothing was reported (decision 0016) — never bare axes
        boxes = page.locator(".dash-chart").count()
        drawn = page.locator(".dash-chart canvas").count()
        said = page.locator(".chart-empty").count()
        assert boxes + said >= 6 and drawn >= 2 and drawn == boxes, (boxes, drawn, said)
        page.wait_for_selector("#dash-map path.leaflet-interactive")
        markers = page.locator("#dash-map path.leaflet-interactive").count()
        assert markers > 10, markers
        assert page.locator("#map-legend .legend-dot").count() >= 5
        assert "Số liệu tính đến" in page.locator("#as-of").inner_text()
        page.select_option("#map-measure", "poverty_rate")
        for measure in ("p135", "p30a"):  # targeting classes: legend from the classification schemes
            page.select_option("#map-measure", measure)
            assert page.locator("#map-legend .legend-dot").count() >= 2
        page.select_option("#id_mode", "current")
        page.screenshot(path=str(SHOTS / f"dashboard-{code}.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("a[href*='/xlsx/ntm_tiers/']")
    download = download_info.value
    target = SHOTS / "dashboard-ntm_tiers.xlsx"
    download.save_as(str(target))
    assert target.read_bytes()[:2] == b"PK"  # an XLSX (zip) file
    # drill-down: a province on the national map, then a commune of it
    page.goto(f"{live_url}/dashboards/?unit=VN")
    page.wait_for_selector("#dash-map path.leaflet-interactive")
    page.click("section[aria-labelledby=units-title] table a:has-text('Tỉnh Điện Biên')")
    page.wait_for_selector("h1:has-text('Tỉnh Điện Biên')")
    page.screenshot(path=str(SHOTS / "dashboard-drilldown.png"), full_page=True)
    assert outside == [], f"requests left 127.0.0.1: {outside}"
    assert errors == [], f"console errors: {errors}"


def test_public_portal_without_login(browser_context: Any, live_url: str) -> None:
    with _watched_page(browser_context, 1024, 768) as (page, errors):
        page.goto(live_url + "/cong-khai/")
        assert "/accounts/login/" not in page.url
        page.wait_for_selector("#provinces")
        page.click("#provinces a:has-text('Tỉnh Điện Biên')")
        page.wait_for_selector("h1:has-text('Tỉnh Điện Biên')")
        assert errors == [], f"console errors: {errors}"
        page.wait_for_selector(".chart-empty, canvas")  # a chart drawn, or "chưa có số liệu" in words
        assert page.locator("canvas").count() + page.locator(".chart-empty").count() >= 2
        page.screenshot(path=str(SHOTS / "portal-dien-bien.png"), full_page=True)
        page.goto(live_url + "/cong-khai/du-lieu/")
        page.wait_for_selector("text=Từ điển dữ liệu")
        page.screenshot(path=str(SHOTS / "portal-dictionary.png"), full_page=True)


def test_map_legend_in_english_from_the_javascript_catalogue(browser_context: Any, live_url: str) -> None:
    """The words dashboards.js writes come from /jsi18n/ (djangojs.po) in the page's language (decision 0060)."""
    with _watched_page(browser_context, 1280, 900) as (page, _errors):
        _login(page, live_url, "trunguong")
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_url}])
        page.goto(f"{live_url}/dashboards/?unit=11")
        page.wait_for_selector("#map-legend .legend-dot")
        legend = page.locator("#map-legend").inner_text()
        assert "Legend:" in legend and "Not met / no data" in legend, legend
        assert "Chú giải" not in legend and "Chưa đạt" not in legend, legend
        page.select_option("#map-measure", "poverty_rate")
        assert "Poverty rate (%)" in page.locator("#map-legend").inner_text()
