// Offline copy of the review rule for the field app: mtqg/survey/definitions.py evaluate() and
// mtqg/poverty/standards.py decide(). The server recomputes every synced form with the Python engine (authoritative);
// mtqg/survey/tests/test_engine_parity.py runs this file under node against the Python engine on the same answers.
(function (root) {
  "use strict";
  // the page's words from the JavaScript catalogue (/jsi18n/, djangojs.po; the same msgids as the Python engine);
  // under node (the parity test) there is no catalogue: the Vietnamese source
  const gettext = typeof root.gettext === "function" ? root.gettext : (s) => s;
  const interpolate = typeof root.interpolate === "function" ? root.interpolate
    : (fmt, obj) => fmt.replace(/%\((\w+)\)s/g, (m, k) => String(obj[k]));
  function yes(v) {
    if (v === true || v === "yes" || v === "1" || v === 1 || v === "on") return true;
    if (v === false || v === "no" || v === "0" || v === 0) return false;
    return null;
  }
  function vnd(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function decide(lines, cutoff, income, count) {
    const poorAny = lines.poor_any, line = lines.line;
    if (poorAny !== null && poorAny !== undefined && income <= poorAny) return "poor";
    if (income <= line) return cutoff === null || cutoff === undefined || count >= cutoff ? "poor" : "near_poor";
    const near = lines.near_poor_upper, avg = lines.average_upper;
    if ((cutoff === null || cutoff === undefined) && near !== null && near !== undefined && income <= near) return "near_poor";
    if (avg !== null && avg !== undefined && income <= avg) return "average";
    return "none";
  }
  function evaluate(form, area, region, answers) {
    const qs = form.questions, def = form.definition, std = form.standard;
    const flags = form.unconfirmed ? [interpolate(gettext("Phiếu có nội dung chưa xác minh: %(n)s"), { n: form.unconfirmed_notes }, true)] : [];
    const aYes = qs.a.filter((q) => q.excludes && yes(answers[q.id])).map((q) => q.label);
    const missing = qs.a.filter((q) => yes(answers[q.id]) === null).map((q) => q.label);
    if (aYes.length >= (def.a.exclude_if_yes_at_least || 1)) {
      return { class: "none", excluded_by_a: true, b1_score: null, band: "", deprivations: [], missing: missing, flags: flags,
        reasons: [interpolate(gettext("Phiếu A: hộ có đặc điểm loại trừ (%(l)s): không thuộc diện nghèo, cận nghèo"), { l: aYes.join("; ") }, true)] };
    }
    let score = def.b1.base || 0;
    qs.b1.forEach((q) => {
      const v = answers[q.id];
      const pts = {};
      q.options.forEach((o) => { pts[o.value] = o.points; });
      if (q.type === "multi") (v || []).forEach((x) => { score += pts[x] || 0; });
      else if (v === undefined || v === null || v === "") { if (q.required !== false) missing.push(q.label); }
      else score += pts[v] || 0;
    });
    const deprived = [];
    qs.b2.forEach((q) => {
      const v = yes(answers[q.id]);
      if (v === null) missing.push(q.label); else if (v) deprived.push(q.code);
    });
    const byArea = def.b1.cutoffs[area];
    const cut = byArea[region] || byArea._default;
    const lines = std.lines[area];
    const line = lines.line, avg = lines.average_upper;
    let band, income, first;
    const args = { s: score, c: cut.line, a: cut.average === undefined ? "" : cut.average, l: vnd(line) };
    if (score <= cut.line) {
      band = "le_line"; income = line;
      first = interpolate(gettext("B1 = %(s)s điểm ≤ %(c)s: thu nhập ước tính ≤ chuẩn %(l)s"), args, true);
    } else if (avg !== null && avg !== undefined && cut.average !== undefined && score <= cut.average) {
      band = "average"; income = line + 1;
      first = interpolate(gettext("B1 = %(s)s điểm, %(c)s < điểm ≤ %(a)s: thu nhập ước tính trên chuẩn %(l)s, trong mức sống trung bình"), args, true);
    } else {
      band = "above"; income = (avg !== null && avg !== undefined ? avg : line) + 1;
      first = avg !== null && avg !== undefined && cut.average !== undefined
        ? interpolate(gettext("B1 = %(s)s điểm > %(a)s: thu nhập ước tính trên mức sống trung bình"), args, true)
        : interpolate(gettext("B1 = %(s)s điểm > %(c)s: thu nhập ước tính trên chuẩn %(l)s"), args, true);
    }
    const cls = decide(lines, std.cutoff, income, deprived.length);
    const names = {};
    std.indicators.forEach((i) => { names[i.code] = i.short || i.name; });
    const reasons = [first];
    if (band === "le_line" && std.cutoff !== null) {
      let t = interpolate(gettext("thiếu hụt %(d)s/%(n)s"), { d: deprived.length, n: std.indicators.length }, true);
      if (deprived.length) t += ": " + deprived.map((c) => names[c]).join(", ");
      reasons.push(t + " (" + (deprived.length >= std.cutoff ? "≥" : "<") + " " + std.cutoff + ")");
    }
    if (missing.length) reasons.push(interpolate(gettext("Tạm tính: còn %(n)s câu chưa trả lời"), { n: missing.length }, true));
    return { class: cls, excluded_by_a: false, b1_score: score, band: band, deprivations: deprived, missing: missing, flags: flags, reasons: reasons };
  }
  const api = { evaluate: evaluate, decide: decide };
  if (typeof module !== "undefined" && module.exports) module.exports = api; else root.SurveyEngine = api;
})(typeof self !== "undefined" ? self : this);
