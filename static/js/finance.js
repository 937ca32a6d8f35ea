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
      const radius = (n) => 3 + Math.sqrt(n) * 2;
      data.points.forEach((p) => {
        L.circleMarker([p.lat, p.lon], { radius: radius(p.works) })
          .bindTooltip(textTip(p.name + ": " + p.works.toLocaleString("vi-VN") + " " + el.dataset.label + ", " + p.total_million.toLocaleString("vi-VN") + " " + el.dataset.money))
          .addTo(layer);
      });
      map.fitBounds(layer.getBounds().pad(0.1));
      // Legend: what a circle's size means, with three reference sizes from the data.
      const most = Math.max(...data.points.map((p) => p.works));
      const sizes = [...new Set([1, Math.max(1, Math.round(most / 2)), most])];
      const legend = L.control({ position: "bottomright" });
      legend.onAdd = () => {
        const box = L.DomUtil.create("div", "map-legend bg-white border rounded p-2 small");
        const head = document.createElement("div");
        head.className = "fw-semibold";
        head.textContent = el.dataset.legend;
        box.appendChild(head);
        sizes.forEach((n) => {
          const row = document.createElement("div");
          row.className = "d-flex align-items-center gap-2";
          const dot = document.createElement("span");
          dot.className = "legend-circle";
          dot.style.width = dot.style.height = radius(n) * 2 + "px";
          row.appendChild(dot);
          row.appendChild(document.createTextNode(n.toLocaleString("vi-VN") + " " + el.dataset.label));
          box.appendChild(row);
        });
        return box;
      };
      legend.addTo(map);
    });
})();
