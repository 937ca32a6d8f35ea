/* NTM scorecard: criteria met per year (ECharts), data from a json_script block. */
(function () {
  "use strict";
  var el = document.getElementById("ntm-history");
  var data = document.getElementById("ntm-history-data");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["Đạt", "Cơ bản đạt"] },
    xAxis: { type: "category", data: d.years },
    yAxis: { type: "value", min: 0, max: 19 },
    series: [
      { name: "Đạt", type: "bar", stack: "t", data: d.met, itemStyle: { color: "#198754" } },
      { name: "Cơ bản đạt", type: "bar", stack: "t", data: d.basic, itemStyle: { color: "#0dcaf0" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
