"""The household review form's live class in Chromium: the income box groups thousands
("1.500.000", core.widgets.MoneyInput) and the preview reads the whole amount, not "1"."""

from __future__ import annotations

from typing import Any

import pytest

from .test_dashboards import _login

pytestmark = pytest.mark.browser


def test_review_preview_reads_the_grouped_income(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    _login(page, live_url, "xa.muongphang")
    page.goto(live_url + "/poverty/ho/")
    page.click("table a[href^='/poverty/ho/']")
    page.click("a[href*='/ra-soat/']:has-text('Sửa')")
    page.wait_for_selector("#review-preview")
    box = page.locator("input[name=income_per_capita_month]")
    for name in page.eval_on_selector_all("input[name=deprivations]:checked", "els => els.map(e => e.value)"):
        page.uncheck(f"input[name=deprivations][value='{name}']")
    box.fill("")
    box.type("9000000")  # well above every poverty line: not poor
    assert box.input_value() == "9.000.000"
    page.wait_for_selector("#review-preview li:has-text('9.000.000')")  # the whole amount reached the engine
    rich = page.inner_text("#review-preview")
    box.fill("")
    box.type("500000")  # under the line, no deprivation ticked: near-poor (NĐ 07/2021: poor needs ≥ 3)
    assert box.input_value() == "500.000"
    page.wait_for_selector("#review-preview li:has-text('thu nhập 500.000')")
    poor = page.inner_text("#review-preview")
    assert "Hộ cận nghèo" in poor, poor
    assert "Hộ nghèo" not in rich and "Hộ cận nghèo" not in rich, rich
    page.close()
