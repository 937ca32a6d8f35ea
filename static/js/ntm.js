/* NTM scorecard: criteria met per year (ECharts), data from a json_script block. */
(function () {
  "use strict";
  var el = document.getElementById("ntm-history");
  var data = document.getElementById("ntm-history-data");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var d = JSON.parse(data.textContent);
  var met = gettext("Đạt");
  var basic = gettext("Cơ bản đạt");
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [met, basic] },
    xAxis: { type: "category", data: d.years },
    yAxis: { type: "value", min: 0, max: 19 },
    series: [
      { name: met, type: "bar", stack: "t", data: d.met, itemStyle: { color: "#198754" } },
      { name: basic, type: "bar", stack: "t", data: d.basic, itemStyle: { color: "#0dcaf0" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
