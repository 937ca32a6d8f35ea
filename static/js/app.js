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
