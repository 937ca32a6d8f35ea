/* Workflow entry grid: Enter moves to the next cell (the change event autosaves it), arrows move up/down,
   and the report version returned by each autosave (HX-Trigger "workflowVersion") updates the hidden inputs. */
(function () {
  "use strict";
  var grid = document.getElementById("wf-grid");
  if (!grid) { return; }
  function inputs() { return Array.prototype.slice.call(grid.querySelectorAll("input.wf-input")); }
  grid.addEventListener("keydown", function (e) {
    if (!e.target.matches("input.wf-input")) { return; }
    var list = inputs();
    var i = list.indexOf(e.target);
    var next = null;
    if (e.key === "Enter" || e.key === "ArrowDown") { next = list[i + 1] || null; }
    else if (e.key === "ArrowUp") { next = list[i - 1] || null; }
    else { return; }
    e.preventDefault();
    if (e.key === "Enter" && !next) { e.target.blur(); return; }
    if (next) { next.focus(); next.select(); }
  });
  document.body.addEventListener("workflowVersion", function (e) {
    var v = String(e.detail.value);
    document.querySelectorAll("#report-version, input.wf-version").forEach(function (el) { el.value = v; });
  });
})();
