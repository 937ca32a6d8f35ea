"""Issue #19 parts 8 and 10 in a real browser: the main pages in Vietnamese and in English at 1280 px have no
horizontal scroll, the navigation stays on at most two lines of whole items, the language box shows its language,
and a money box groups thousands while typing. Screenshots go to test-results/layout-<lang>-<page>.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .test_dashboards import _login
from .test_shell import _watch

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "test-results"

MAIN_PAGES = {
    "home": "/",
    "dashboard": "/dashboards/?unit=11",
    "units": "/units/",
    "ntm": "/ntm/",
    "poverty": "/poverty/",
    "finance": "/finance/",
    "works": "/finance/works/",
    "ocop": "/ocop/",
    "workflow": "/workflow/",
    "supervision": "/supervision/",
    "reports": "/supervision/reports/",
    "planning": "/planning/",
    "portal": "/cong-khai/",
    "catalogue": "/ocop/catalogue/",
}

MEASURE = """() => {
  const doc = document.scrollingElement;
  const select = document.querySelector("select[name=language]");
  const option = select.selectedOptions[0];
  const probe = document.createElement("span");
  probe.style.font = getComputedStyle(select).font;
  probe.textContent = option.textContent;
  document.body.appendChild(probe);
  const textWidth = probe.getBoundingClientRect().width;
  probe.remove();
  const links = [...document.querySelectorAll(".nav-programs .nav-link")];
  const lines = new Set(links.map((a) => Math.round(a.getBoundingClientRect().top))).size;
  const broken = links.filter((a) => a.getClientRects().length > 1 || a.getBoundingClientRect().height > 40)
    .map((a) => a.textContent.trim());
  return {scroll: doc.scrollWidth, client: doc.clientWidth, lang: option.textContent.trim(),
          selectWidth: select.getBoundingClientRect().width, textWidth, lines, broken};
}"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_main_pages_fit_1280(browser_context: Any, live_url: str, lang: str) -> None:
    page = browser_context.new_page()
    _outside, _errors = _watch(page)
    _login(page, live_url, "trunguong")
    browser_context.add_cookies([{"name": "django_language", "value": lang, "url": live_url}])
    problems = []
    for name, path in MAIN_PAGES.items():
        page.goto(live_url + path)
        page.wait_for_load_state("networkidle")
        m = page.evaluate(MEASURE)
        page.screenshot(path=str(SHOTS / f"layout-{lang}-{name}.png"))
        if m["scroll"] > m["client"]:
            problems.append(f"{path}: horizontal scroll {m['scroll']} > {m['client']}")
        if m["lang"] != {"vi": "Tiếng Việt", "en": "English"}[lang] or m["selectWidth"] < m["textWidth"] + 20:
            problems.append(f"{path}: language box cut ({m})")
        if m["lines"] > 2 or m["broken"]:
            problems.append(f"{path}: navigation on {m['lines']} lines, labels broken: {m['broken']}")
    assert problems == [], problems
    page.close()


def test_money_box_groups_thousands_while_typing(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    _login(page, live_url, "trunguong")
    page.goto(live_url + "/planning/")
    box = page.locator("input[name=budget_million]")
    box.click()
    box.press_sequentially("3873000")
    assert box.input_value() == "3.873.000"
    box.press("Backspace")
    assert box.input_value() == "387.300"
    date_box = page.locator("input[name=as_of]")
    assert (
        date_box.input_value() != ""
    )  # an ISO value the browser can show (a "06/12/2026" value shows blank)
    page.close()


TICKS = """() => {
  const data = JSON.parse(document.getElementById("dashboard-charts").textContent);
  const out = {};
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const d = data[el.dataset.chart];
    const chart = echarts.getInstanceByDom(el);
    if (!chart || !d.axis) return;
    const axis = chart.getModel().getComponent(d.kind === "hbar" ? "xAxis" : "yAxis", 0).axis;
    out[d.id] = {unit: d.axis.unit, name: axis.model.get("name"), ticks: axis.scale.getTicks().map((t) => t.value)};
  });
  return out;
}"""


def test_count_axes_have_whole_ticks_and_a_name(browser_context: Any, live_url: str) -> None:
    page = browser_context.new_page()
    _login(
        page, live_url, "dienbien"
    )  # the province in 2020: NTM counts per tier and band (ECharts drew 0; 0,2 …)
    page.goto(live_url + "/dashboards/?unit=11&year=2020")
    page.wait_for_selector("#chart-ntm_tiers canvas")
    axes = page.evaluate(TICKS)
    counts = {k: v for k, v in axes.items() if v["unit"] == "count"}
    assert {"ntm_tiers", "ntm_bands"} <= set(counts), axes
    for cid, axis in counts.items():
        assert all(float(t).is_integer() for t in axis["ticks"]), (cid, axis)
    assert all(v["name"] for v in axes.values()), axes
    page.close()
