// Planning screens: side-by-side bar chart of the three methods and the budget-sensitivity line (ECharts).
(function () {
  const el = document.getElementById("planning-chart");
  if (!el || typeof echarts === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const chart = echarts.init(el);
      const fmt = (v) => (v === null || v === undefined ? "—" : v.toLocaleString("vi-VN"));
      chart.setOption({
        tooltip: { trigger: "axis", valueFormatter: fmt },
        legend: {},
        grid: [{ left: "8%", width: "38%" }, { left: "58%", width: "38%" }],
        xAxis: [
          { type: "category", data: data.methods, gridIndex: 0, axisLabel: { interval: 0, width: 80, overflow: "break" } },
          { type: "value", name: data.labels.budget, gridIndex: 1, axisLabel: { formatter: (v) => v.toLocaleString("vi-VN") } },
        ],
        yAxis: [{ type: "value", gridIndex: 0 }, { type: "value", gridIndex: 1 }],
        series: [
          { name: data.labels.communes, type: "bar", data: data.communes_reaching, xAxisIndex: 0, yAxisIndex: 0 },
          { name: data.labels.criteria, type: "bar", data: data.criteria_closed, xAxisIndex: 0, yAxisIndex: 0 },
          {
            name: data.labels.communes, type: "line", xAxisIndex: 1, yAxisIndex: 1,
            data: data.sensitivity.map((p) => [p.budget, p.communes]),
          },
        ],
      });
      window.addEventListener("resize", () => chart.resize());
    });
})();
