// Live class of a review being edited: posts income and deprivations to the classify API (the one engine).
(function () {
  const box = document.getElementById("review-preview");
  if (!box) return;
  const form = box.parentElement.querySelector("form");
  const labels = { poor: gettext("Hộ nghèo"), near_poor: gettext("Hộ cận nghèo"), average: gettext("Hộ có mức sống trung bình"), none: gettext("Không thuộc diện") };
  function csrf() { const m = document.cookie.match(/csrftoken=([^;]+)/); return m ? m[1] : ""; }
  let timer = null;
  function update() {
    // the money box shows "1.500.000" (grouped with dots, core.widgets.MoneyInput): keep the digits only
    const income = parseInt(((form.elements["income_per_capita_month"] || {}).value || "").replace(/\D/g, ""), 10);
    if (isNaN(income)) { box.textContent = ""; return; }
    const deps = Array.from(form.querySelectorAll("input[name=deprivations]:checked")).map((i) => i.value);
    fetch("/api/v1/poverty/classify/", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ year: parseInt(box.dataset.year, 10), area: box.dataset.area, income_per_capita_month: income, deprivations: deps }),
    }).then((r) => r.json()).then((d) => {
      box.replaceChildren();
      const card = document.createElement("div");
      card.className = "alert alert-info";
      const head = document.createElement("strong");
      if (d.class) {
        head.textContent = interpolate(gettext("Phân loại khi lưu: %(class)s (%(standard)s)"), { class: labels[d.class], standard: d.standard }, true);
        card.append(head);
        const ul = document.createElement("ul");
        ul.className = "small mb-0";
        (d.reasons || []).forEach((r) => { const li = document.createElement("li"); li.textContent = r; ul.append(li); });
        card.append(ul);
        (d.flags || []).forEach((f) => { const w = document.createElement("div"); w.className = "small text-warning-emphasis"; w.textContent = "⚠ " + f; card.append(w); });
        if (d.local) { const l = document.createElement("div"); l.textContent = interpolate(gettext("Theo chuẩn địa phương: %(class)s (%(standard)s)"), { class: labels[d.local.class], standard: d.local.standard }, true); card.append(l); }
      } else {
        head.textContent = gettext("Chưa tính được: ") + JSON.stringify((d.error || {}).fields || d);
        card.append(head);
      }
      box.append(card);
    }).catch(() => { box.textContent = gettext("Không tính được phân loại (mất kết nối)."); });
  }
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 300); });
  form.addEventListener("change", update);
  update();
})();
