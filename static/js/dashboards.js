/* Dashboards: ECharts charts from the #dashboard-charts json_script block, PNG downloads, and the Leaflet map of
   unit centre points (no tile layer: nothing is loaded from the Internet). No inline scripts (CSP). */
(function () {
  "use strict";

  var PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#8e7cc3", "#cc0000", "#45818e", "#bf9000", "#a64d79"];
  var charts = {};

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // words in the page's language come from Django's JavaScript catalogue (/jsi18n/ in base.html, djangojs.po)

  function numberVi(v, decimals) {
    if (v === null || v === undefined) { return "—"; }
    return Number(v).toLocaleString("vi-VN", { minimumFractionDigits: 0, maximumFractionDigits: decimals === undefined ? 2 : decimals });
  }

  function option(d) {
    var horizontal = d.kind === "hbar";
    var type = d.kind === "line" ? "line" : "bar";
    var series = d.series.map(function (s, i) {
      var out = { name: s.name, type: type, data: s.data, connectNulls: false, itemStyle: { color: PALETTE[i % PALETTE.length] } };
      if (s.stack) { out.stack = s.stack; }
      return out;
    });
    if (d.mark !== null && d.mark !== undefined && series.length) {
      var mark = {}; mark[horizontal ? "xAxis" : "yAxis"] = d.mark; mark.name = gettext("Mục tiêu");
      series[series.length - 1].markLine = { symbol: "none", data: [mark], lineStyle: { type: "dashed", color: "#cc0000" }, label: { formatter: gettext("Mục tiêu"), position: horizontal ? "start" : "end" } };
    }
    // One unit per value axis (panels.py CHART_AXES): counts get whole-number ticks, rates a % sign.
    var axis = d.axis || { unit: "", name: "" };
    var fmt = axis.unit === "count" ? function (v) { return numberVi(v, 0); }
      : axis.unit === "percent" ? function (v) { return v === null || v === undefined ? "—" : numberVi(v, 1) + "%"; }
      : function (v) { return numberVi(v, 1); };
    var category = horizontal
      ? { type: "category", data: d.categories, inverse: true, axisLabel: { interval: 0, width: 200, overflow: "break", lineHeight: 13 } }
      : { type: "category", data: d.categories, axisLabel: { interval: 0, hideOverlap: true } };
    var value = horizontal
      ? { type: "value", name: axis.name, nameLocation: "middle", nameGap: 24, axisLabel: { formatter: fmt } }
      : { type: "value", name: axis.name, nameTextStyle: { align: "left" }, axisLabel: { formatter: fmt } };
    if (axis.unit === "count") { value.minInterval = 1; }
    if (d.mark !== null && d.mark !== undefined) {  // keep the target line inside the axis
      var top = Math.max.apply(null, d.series.map(function (s) {
        return Math.max.apply(null, s.data.filter(function (v) { return typeof v === "number"; }).concat([0]));
      }).concat([0]));
      if (top < d.mark) { value.max = Math.ceil(d.mark / 10) * 10; }
    }
    return {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return axis.unit === "percent" ? fmt(v) : numberVi(v); } },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 10, right: 30, top: 30, bottom: horizontal ? 60 : 50, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series
    };
  }

  function renderCharts() {
    var data = readJson("dashboard-charts");
    if (!data || typeof echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = data[el.getAttribute("data-chart")];
      if (!d) { return; }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(d));
      charts[d.id] = chart;
    });
    window.addEventListener("resize", function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    document.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-chart-png]");
      if (!btn) { return; }
      var chart = charts[btn.getAttribute("data-chart-png")];
      if (!chart) { return; }
      var a = document.createElement("a");
      a.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
      a.download = btn.getAttribute("data-chart-png") + ".png";
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  }

  var TIERS = [
    ["hien_dai", gettext("NTM hiện đại"), "#20124d"],
    ["kieu_mau", gettext("NTM kiểu mẫu"), "#674ea7"],
    ["nang_cao", gettext("NTM nâng cao"), "#0b5394"],
    ["dat_chuan", gettext("Đạt chuẩn NTM"), "#38761d"],
    ["co_ban_dat", gettext("Cơ bản đạt chuẩn"), "#bf9000"],
    ["", gettext("Chưa đạt / chưa có số liệu"), "#999999"]
  ];
  var RAMPS = {
    criteria: { label: gettext("Số tiêu chí đạt"), bins: [[0, 5], [5, 10], [10, 15], [15, 19], [19, 20]], names: ["0-4", "5-9", "10-14", "15-18", "19"], colors: ["#cc0000", "#e69138", "#f1c232", "#6aa84f", "#274e13"] },
    poverty_rate: { label: gettext("Tỷ lệ hộ nghèo (%)"), bins: [[0, 5], [5, 10], [10, 20], [20, 40], [40, 1000]], names: ["< 5%", "5-10%", "10-20%", "20-40%", "≥ 40%"], colors: ["#274e13", "#6aa84f", "#f1c232", "#e69138", "#cc0000"] },
    disbursement_rate: { label: gettext("Giải ngân NSTW (%)"), bins: [[0, 30], [30, 50], [50, 70], [70, 90], [90, 1000]], names: ["< 30%", "30-50%", "50-70%", "70-90%", "≥ 90%"], colors: ["#cc0000", "#e69138", "#f1c232", "#6aa84f", "#274e13"] },
    recognised_rate: { label: gettext("Tỷ lệ xã đạt chuẩn NTM (%)"), bins: [[0, 20], [20, 40], [40, 60], [60, 80], [80, 1000]], names: ["< 20%", "20-40%", "40-60%", "60-80%", "≥ 80%"], colors: ["#cc0000", "#e69138", "#f1c232", "#6aa84f", "#274e13"] }
  };
  RAMPS.p135_share = { label: gettext("Tỷ lệ xã thuộc Chương trình 135 (%)"), bins: [[0, 10], [10, 25], [25, 50], [50, 75], [75, 1000]], names: ["< 10%", "10-25%", "25-50%", "50-75%", "≥ 75%"], colors: ["#fff2cc", "#f9cb9c", "#e69138", "#cc4125", "#85200c"] };
  RAMPS.p30a_districts = { label: gettext("Số huyện nghèo (30a)"), bins: [[0, 1], [1, 2], [2, 4], [4, 1000]], names: ["0", "1", "2-3", "≥ 4"], colors: ["#d9ead3", "#f9cb9c", "#e69138", "#85200c"] };
  var NONE = "#bbbbbb";
  var OUTSIDE = "#dddddd";
  // commune-level classification colours: Program 135 values and poor (30a) districts; labels come from the
  // classification schemes (json_script "dashboard-classes")
  var CLASS_COLOURS = { p135: { dbkk: "#cc0000", bien_gioi: "#e69138", atk: "#8e7cc3" }, p30a: { yes: "#cc0000" } };
  var SCHEMES = { p135: "p135_commune", p30a: "poor_district_30a" };
  var CLASS_RAMPS = { p135: "p135_share", p30a: "p30a_districts" };
  var classes = readJson("dashboard-classes") || {};

  function classLegend(measure) {
    var scheme = classes[SCHEMES[measure]] || { values: {} };
    var items = Object.keys(CLASS_COLOURS[measure]).map(function (k) {
      return [scheme.values[k] || k, CLASS_COLOURS[measure][k]];
    });
    return items.concat([[gettext("Không thuộc"), OUTSIDE]]);
  }

  function colourFor(p, measure, level) {
    if (measure === "tier" && level === "province") { measure = "recognised_rate"; }
    if (CLASS_RAMPS[measure] && level === "province") { measure = CLASS_RAMPS[measure]; }
    if (CLASS_COLOURS[measure]) {
      return CLASS_COLOURS[measure][p[measure] || ""] || OUTSIDE;
    }
    if (measure === "tier") {
      var t = TIERS.find(function (x) { return x[0] === (p.tier || ""); });
      return t ? t[2] : NONE;
    }
    var ramp = RAMPS[measure];
    var v = p[measure];
    if (v === null || v === undefined) { return NONE; }
    for (var i = 0; i < ramp.bins.length; i++) {
      if (v >= ramp.bins[i][0] && v < ramp.bins[i][1]) { return ramp.colors[i]; }
    }
    return NONE;
  }

  // Leaflet inserts a string tooltip as HTML: unit names go in as text (issue #20).
  function textTip(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function legend(el, measure, level) {
    if (measure === "tier" && level === "province") { measure = "recognised_rate"; }
    if (CLASS_RAMPS[measure] && level === "province") { measure = CLASS_RAMPS[measure]; }
    var items = measure === "tier"
      ? TIERS.map(function (t) { return [t[1], t[2]]; })
      : CLASS_COLOURS[measure] ? classLegend(measure) : RAMPS[measure].names.map(function (n, i) { return [n, RAMPS[measure].colors[i]]; }).concat([[gettext("Chưa có số liệu"), NONE]]);
    el.textContent = "";
    var title = document.createElement("strong");
    title.className = "me-2";
    title.textContent = (RAMPS[measure] ? RAMPS[measure].label : gettext("Chú giải")) + ":";
    el.appendChild(title);
    items.forEach(function (it) {
      var span = document.createElement("span");
      span.className = "me-3 d-inline-flex align-items-center";
      var dot = document.createElement("span");
      dot.className = "legend-dot me-1";
      dot.style.background = it[1];
      span.appendChild(dot);
      span.appendChild(document.createTextNode(it[0]));
      el.appendChild(span);
    });
  }

  function renderMap() {
    var el = document.getElementById("dash-map");
    var points = readJson("dashboard-points");
    if (!el || !points || typeof L === "undefined") { return; }
    var level = el.getAttribute("data-level");
    var base = el.getAttribute("data-base");
    var query = el.getAttribute("data-query");
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
    var layer = L.layerGroup().addTo(map);
    var select = document.getElementById("map-measure");
    var legendEl = document.getElementById("map-legend");

    function draw() {
      var measure = select ? select.value : "tier";
      layer.clearLayers();
      points.forEach(function (p) {
        var m = L.circleMarker([p.lat, p.lon], {
          radius: level === "province" ? 9 : 6, weight: 1, color: "#333", fillColor: colourFor(p, measure, level), fillOpacity: 0.9
        });
        var value;
        if (measure === "tier") { value = p.status; }
        else if (CLASS_RAMPS[measure] && level === "province") { value = numberVi(p[CLASS_RAMPS[measure]]); }
        else if (CLASS_COLOURS[measure]) { value = p[measure + "_label"] || "—"; }
        else { value = numberVi(p[measure]); }
        m.bindTooltip(textTip(p.name + ": " + value));
        m.on("click", function () { window.location.href = base + p.id + "/" + (query ? "?" + query : ""); });
        m.addTo(layer);
      });
      legend(legendEl, measure, level);
    }
    if (points.length) {
      map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })), { padding: [20, 20] });
    } else {
      map.setView([16, 106], 5);
    }
    draw();
    if (select) { select.addEventListener("change", draw); }
  }

  renderCharts();
  renderMap();
})();
