// Finance screens: disbursement curve (ECharts) and progress-bar widths (no inline scripts or styles from data).
(function () {
  document.querySelectorAll(".progress-bar[data-width]").forEach((bar) => {
    bar.style.width = Math.min(100, parseFloat(bar.dataset.width) || 0) + "%";
  });
  const el = document.getElementById("finance-curve");
  if (!el || typeof echarts === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      const fmt = (v) => (v === null || v === undefined ? "—" : v.toLocaleString("vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + "%");
      const series = Object.keys(data.series).sort().map((year) => ({
        name: year, type: "line", smooth: false, data: data.series[year],
      }));
      const chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis", valueFormatter: fmt },
        legend: {},
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: series,
      });
      window.addEventListener("resize", () => chart.resize());
    });
})();

// Works map: one circle per commune centre, sized by the number of works (no tiles: offline-safe).
(function () {
  const el = document.getElementById("finance-map");
  if (!el || typeof L === "undefined") return;
  fetch(el.dataset.url, { credentials: "same-origin" })
    .then((r) => r.json())
    .then((data) => {
      if (!data.points.length) { el.hidden = true; return; }
      // Leaflet inserts a string tooltip as HTML: unit names go in as text (issue #20).
      const textTip = (text) => { const span = document.createElement("span"); span.textContent = text; return span; };
      const map = L.map(el);
      const layer = L.featureGroup().addTo(map);
      data.points.forEach((p) => {
        L.circleMarker([p.lat, p.lon], { radius: 3 + Math.sqrt(p.works) * 2 })
          .bindTooltip(textTip(p.name + ": " + p.works + " " + el.dataset.label + ", " + p.total_million.toLocaleString("vi-VN") + " triệu đồng"))
          .addTo(layer);
      });
      map.fitBounds(layer.getBounds().pad(0.1));
    });
})();
