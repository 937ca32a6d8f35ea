// Small behaviours without inline scripts (the CSP forbids them).
document.addEventListener("change", (e) => {
  if (e.target.matches("[data-autosubmit]")) e.target.form.submit();
});
document.addEventListener("click", (e) => {
  const btn = e.target.closest("[data-toggle-tree]");
  if (!btn) return;
  const open = btn.getAttribute("aria-expanded") === "true";
  const list = btn.parentElement.querySelector(":scope > ul");
  if (open) { list.hidden = true; btn.setAttribute("aria-expanded", "false"); e.preventDefault(); e.stopImmediatePropagation(); }
  else { list.hidden = false; btn.setAttribute("aria-expanded", "true"); if (list.children.length) { e.preventDefault(); e.stopImmediatePropagation(); } }
  btn.querySelector("i").className = open ? "bi bi-plus-square" : "bi bi-dash-square";
}, true);
// Money boxes (core/widgets.py MoneyInput, data-money): group thousands with "." while typing, keeping the caret
// after the same digit; the server accepts the grouped text as it is (no rewrite on submit).
function groupMoney(input) {
  const raw = input.value;
  const negative = raw.trim().startsWith("-");
  const digits = raw.replace(/\D/g, "");
  if (!digits || /[^\d.\s\u00a0-]/.test(raw)) return;  // leave anything unusual for the server to explain
  const caret = input.selectionStart ?? raw.length;
  const before = raw.slice(0, caret).replace(/\D/g, "").length;
  const grouped = (negative ? "-" : "") + digits.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  if (grouped === raw) return;
  input.value = grouped;
  let pos = 0, seen = 0;
  while (pos < grouped.length && seen < before) { if (/\d/.test(grouped[pos])) seen++; pos++; }
  if (document.activeElement === input) input.setSelectionRange(pos, pos);
}
document.addEventListener("input", (e) => { if (e.target.matches("input[data-money]")) groupMoney(e.target); });
document.querySelectorAll("input[data-money]").forEach(groupMoney);
