// Field app: download the enumerator's villages, fill Phiếu A/B with no connection, sync later (POST batch,
// client-generated ids). Everything typed stays in localStorage until the server has accepted it.
(function () {
  "use strict";
  const root = document.getElementById("field-app");
  if (!root) return;
  const KEY = { data: "mtqg.field.data", queue: "mtqg.field.queue", results: "mtqg.field.results", device: "mtqg.field.device" };
  const LABEL = { poor: gettext("Hộ nghèo"), near_poor: gettext("Hộ cận nghèo"), average: gettext("Hộ có mức sống trung bình"), none: gettext("Không thuộc diện") };
  const $ = (sel) => root.querySelector(sel);
  const load = (k, d) => { try { return JSON.parse(localStorage.getItem(k)) || d; } catch (e) { return d; } };
  const save = (k, v) => localStorage.setItem(k, JSON.stringify(v));
  function uuid() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) => (c ^ (Math.random() * 16) >> (c / 4)).toString(16));
  }
  function device() {
    let id = localStorage.getItem(KEY.device);
    if (!id) { id = "web-" + uuid(); localStorage.setItem(KEY.device, id); }
    return id;
  }
  function csrf() { const m = document.cookie.match(/csrftoken=([^;]+)/); return m ? m[1] : ""; }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => { if (k === "class") e.className = v; else if (v !== null && v !== undefined) e.setAttribute(k, v); });
    children.forEach((c) => e.append(c));
    return e;
  }
  function say(text, kind) {
    const box = $("#field-messages");
    box.replaceChildren(el("div", { class: "alert alert-" + (kind || "info") + " py-2", role: "status" }, text));
  }
  function status() {
    const q = load(KEY.queue, []);
    const online = navigator.onLine;
    const s = $("#field-status");
    s.className = online ? "status-online" : "status-offline";
    s.textContent = (online ? gettext("Có mạng") : gettext("Không có mạng — dữ liệu lưu trên máy")) + " · " + interpolate(gettext("%(n)s phiếu chờ đồng bộ"), { n: q.length }, true);
    $("#field-sync").textContent = interpolate(gettext("Đồng bộ (%(n)s)"), { n: q.length }, true);
  }

  // --- the list ---------------------------------------------------------------------------------------------
  function renderList() {
    const data = load(KEY.data, null);
    const list = $("#field-list");
    list.replaceChildren();
    $("#field-form").hidden = true;
    list.hidden = false;
    if (!data) { list.append(el("p", { class: "text-muted" }, gettext("Chưa tải danh sách. Bấm “Tải danh sách” khi có mạng."))); status(); return; }
    const queued = {}; load(KEY.queue, []).forEach((q) => { queued[q.household] = q; });
    const results = load(KEY.results, {});
    let village = null;
    data.households.forEach((h) => {
      if (h.village !== village) { village = h.village; list.append(el("h2", { class: "h6 mt-3" }, (village || gettext("Chưa gán thôn")) + " — " + h.commune)); }
      let state = h.version ? gettext("Đã đồng bộ") : gettext("Chưa rà soát");
      if (queued[h.id]) state = gettext("Đã nhập, chờ đồng bộ");
      if (queued[h.id] && Object.values(queued[h.id].notes || {}).some((n) => !n)) state = gettext("Đã nhập, cần ghi chú điều chỉnh");
      if (results[h.id] && results[h.id].status !== "saved") state = results[h.id].message;
      const btn = el("button", { class: "btn btn-outline-primary btn-sm", type: "button", "data-household": h.id }, gettext("Nhập phiếu"));
      btn.addEventListener("click", () => renderForm(h.id));
      list.append(el("div", { class: "hh", "data-code": h.code }, el("div", {}, el("strong", {}, h.code + " · " + h.head_name), el("div", { class: "small text-muted" }, h.source + " · " + state)), btn));
    });
    status();
  }

  // --- the form -----------------------------------------------------------------------------------------------
  function current(form) {
    const answers = {};
    form.querySelectorAll("input[type=radio]:checked").forEach((i) => { answers[i.name] = i.value === "yes"; });
    form.querySelectorAll("select").forEach((s) => { if (s.value) answers[s.name] = s.value; });
    const multi = {};
    form.querySelectorAll("input[type=checkbox]").forEach((c) => { multi[c.name] = multi[c.name] || []; if (c.checked) multi[c.name].push(c.value); });
    return Object.assign(answers, multi);
  }
  function yesNo(q, value, yesText) {
    return el("div", { class: "q" }, el("div", {}, q.label), q.help ? el("div", { class: "small text-muted" }, q.help) : "",
      radio(q.id, "yes", value === true, yesText), radio(q.id, "no", value === false, gettext("Không")));
  }
  function radio(name, value, checked, text) {
    const i = el("input", { type: "radio", name: name, value: value });
    i.checked = checked;
    return el("label", {}, i, text);
  }
  function renderForm(id) {
    const data = load(KEY.data, null);
    const h = data.households.find((x) => x.id === id);
    const f = data.forms[h.form];
    const queued = load(KEY.queue, []).find((q) => q.household === id);
    const answers = (queued && queued.answers) || h.answers || {};
    const form = el("form", { id: "field-survey", "data-household": id });
    form.append(el("h2", { class: "h5" }, h.code + " · " + h.head_name), el("p", { class: "small text-muted" }, f.title));
    form.append(el("h3", { class: "h6 mt-2" }, gettext("Phiếu A — nhận diện nhanh")));
    f.questions.a.forEach((q) => form.append(yesNo(q, answers[q.id], gettext("Có"))));
    form.append(el("h3", { class: "h6 mt-3" }, gettext("Phiếu B1 — ước tính thu nhập")));
    f.questions.b1.forEach((q) => {
      if (q.type === "multi") {
        const box = el("div", { class: "q" }, el("div", {}, q.label));
        q.options.forEach((o) => { const c = el("input", { type: "checkbox", name: q.id, value: o.value }); c.checked = (answers[q.id] || []).includes(o.value); box.append(el("label", {}, c, o.label)); });
        form.append(box);
      } else {
        const s = el("select", { name: q.id, class: "form-select", "aria-label": q.label }, el("option", { value: "" }, "—"));
        q.options.forEach((o) => { const op = el("option", { value: o.value }, o.label); op.selected = answers[q.id] === o.value; s.append(op); });
        form.append(el("div", { class: "q" }, el("div", {}, q.label), s));
      }
    });
    form.append(el("h3", { class: "h6 mt-3" }, gettext("Phiếu B2 — thiếu hụt dịch vụ xã hội cơ bản")));
    const derived = h.derived || {};
    const notes = (queued && queued.notes) || h.notes || {};
    f.questions.b2.forEach((q) => {
      const d = derived[q.code];
      const value = answers[q.id] === undefined && d ? d.deprived : answers[q.id];
      const box = yesNo(q, value, gettext("Thiếu hụt"));
      if (d) {
        // same rule as the office form: an answer against the member data needs a note
        const note = el("input", { class: "form-control form-control-sm mt-1", name: "note_" + q.code, "data-note": q.code,
          placeholder: gettext("Ghi chú lý do điều chỉnh (bắt buộc)"), "aria-label": gettext("Ghi chú điều chỉnh: ") + q.label });
        note.value = notes[q.code] || "";
        box.append(el("div", { class: "small derived", "data-derived": q.code },
          gettext("Theo dữ liệu thành viên: ") + (d.deprived ? gettext("Thiếu hụt") : gettext("Không")) + " — " + d.reason, note));
      }
      form.append(box);
    });
    const result = el("div", { class: "result", id: "field-result", "aria-live": "polite" });
    const saveBtn = el("button", { class: "btn btn-primary", type: "submit" }, gettext("Lưu trên máy"));
    const back = el("button", { class: "btn btn-outline-secondary ms-2", type: "button" }, gettext("Về danh sách"));
    back.addEventListener("click", renderList);
    form.append(result, el("div", { class: "my-3" }, saveBtn, back));
    // overridden derived answers: {code: note}; a note box is shown (and required) only where the answer differs
    function overrides() {
      const a = current(form), out = {};
      Object.keys(derived).forEach((code) => {
        const box = form.querySelector("[data-derived='" + code + "']");
        const input = box.querySelector("input");
        const given = a["b2_" + code];
        const differs = given !== undefined && given !== derived[code].deprived;
        input.hidden = !differs; input.setAttribute("aria-required", differs ? "true" : "false");
        box.classList.toggle("override", differs);
        if (differs) out[code] = input.value.trim();
      });
      return out;
    }
    function live() {
      overrides();
      const r = SurveyEngine.evaluate(f, h.area, h.region || "", current(form));
      result.replaceChildren(el("strong", { "data-class": r.class }, gettext("Phân loại (tạm tính): ") + LABEL[r.class]), el("ul", { class: "small mb-0" }, ...r.reasons.map((t) => el("li", {}, t))));
    }
    form.addEventListener("change", live);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const queue = load(KEY.queue, []).filter((q) => q.household !== id);
      const notes = overrides();
      queue.push({ client_id: uuid(), household: id, base_version: h.version, answers: current(form), notes: notes, entered_at: new Date().toISOString() });
      save(KEY.queue, queue);
      const results = load(KEY.results, {}); delete results[id]; save(KEY.results, results);
      const r = SurveyEngine.evaluate(f, h.area, h.region || "", current(form));
      const unnoted = Object.keys(notes).filter((c) => !notes[c]);
      // nothing typed is lost: the form is kept on the device even without the note, and the warning says why
      if (unnoted.length) say(interpolate(gettext("Đã lưu trên máy, nhưng cần ghi chú lý do điều chỉnh khác dữ liệu thành viên (%(c)s): máy chủ sẽ không nhận phiếu khi chưa có ghi chú."), { c: unnoted.join(", ") }, true), "warning");
      else say(r.missing.length ? interpolate(gettext("Đã lưu trên máy; còn %(n)s câu chưa trả lời (máy chủ sẽ báo nếu thiếu)."), { n: r.missing.length }, true) : interpolate(gettext("Đã lưu trên máy: %(c)s."), { c: h.code }, true), r.missing.length ? "warning" : "success");
      renderList();
    });
    const box = $("#field-form");
    box.replaceChildren(form);
    box.hidden = false;
    $("#field-list").hidden = true;
    live();
  }

  // --- download and sync --------------------------------------------------------------------------------------
  function download() {
    if (load(KEY.queue, []).length && !confirm(gettext("Còn phiếu chưa đồng bộ: tải lại danh sách vẫn giữ các phiếu đó. Tiếp tục?"))) return;
    fetch("/api/v1/survey/download/", { credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then((d) => { save(KEY.data, d); say(interpolate(gettext("Đã tải %(n)s hộ."), { n: d.households.length }, true), "success"); renderList(); })
      .catch(() => say(gettext("Không tải được danh sách (kiểm tra mạng, đăng nhập)."), "warning"));
  }
  function sync() {
    const queue = load(KEY.queue, []);
    if (!queue.length) { say(gettext("Không có phiếu chờ đồng bộ.")); return; }
    fetch("/api/v1/survey/sync/", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ device_id: device(), items: queue }),
    }).then((r) => r.json().then((body) => ({ ok: r.ok, body: body })))
      .then(({ ok, body }) => {
        if (!ok) { say((body.error && body.error.message) || body.detail || gettext("Máy chủ không nhận lô đồng bộ; các phiếu vẫn còn trên máy."), "danger"); return; }
        const byId = {}; body.results.forEach((x) => { byId[x.client_id] = x; });
        const data = load(KEY.data, { households: [] });
        const results = load(KEY.results, {});
        const keep = [];
        queue.forEach((q) => {
          const r = byId[q.client_id] || { status: "error", message: gettext("Không có kết quả") };
          results[q.household] = r;
          const h = data.households.find((x) => x.id === q.household);
          if (r.status === "saved" && h) { h.version = r.version; h.answers = q.answers; h.notes = q.notes || {}; }
          if (r.status === "error") keep.push(q);
        });
        save(KEY.data, data); save(KEY.results, results); save(KEY.queue, keep);
        const errors = body.results.filter((x) => x.status === "error").map((x) => x.message);
        say(interpolate(gettext("Đã đồng bộ %(n)s phiếu."), { n: body.saved }, true) + (errors.length ? " " + gettext("Lỗi:") + " " + errors.join(" | ") : ""), errors.length ? "warning" : "success");
        renderList();
      })
      .catch(() => say(gettext("Không có mạng: các phiếu vẫn chờ trên máy."), "warning"));
  }

  $("#field-download").addEventListener("click", download);
  $("#field-sync").addEventListener("click", sync);
  window.addEventListener("online", status);
  window.addEventListener("offline", status);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).then(() => {
      // keep this page and every asset it loaded, so the app opens offline
      const assets = [location.pathname].concat(
        Array.from(document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=manifest], link[rel=icon]")).map((e) => e.href || e.src)
      );
      return caches.open("mtqg-field-v4").then((c) => c.addAll(assets));
    }).then(() => { root.dataset.ready = "1"; }).catch((e) => say(gettext("Không cài được chế độ ngoại tuyến: ") + e, "warning"));
  }
  renderList();
})();
