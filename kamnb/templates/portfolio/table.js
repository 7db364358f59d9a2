(function () {
  "use strict";
  var table = document.getElementById("account-table");
  var form = document.getElementById("account-filters");
  if (!table || !form) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = document.getElementById("account-count");
  form.hidden = false;
  function value(row, key) { return row.getAttribute("data-" + key) || ""; }
  function apply() {
    var tier = form.elements.tier.value, flag = form.elements.flag.value, manager = form.elements.manager.value;
    var text = form.elements.text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!tier || value(row, "tier") === tier) &&
        (!flag || (flag === "*" ? value(row, "flags") !== "" : value(row, "flags").split("|").indexOf(flag) >= 0)) &&
        (!manager || value(row, "manager") === manager) &&
        (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " accounts shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) { button.appendChild(th.firstChild); }
    th.appendChild(button);
    button.addEventListener("click", function () {
      var down = th.getAttribute("aria-sort") !== "descending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      var numeric = th.classList.contains("num");
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort"), y = b.cells[col].getAttribute("data-sort");
        if (x === null) { x = a.cells[col].textContent.trim(); }
        if (y === null) { y = b.cells[col].textContent.trim(); }
        var r;
        if (numeric) {
          var nx = x === "" ? -Infinity : Number(x), ny = y === "" ? -Infinity : Number(y);
          r = nx - ny;
        } else {
          r = x.localeCompare(y);
        }
        return down ? -r : r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
}());
