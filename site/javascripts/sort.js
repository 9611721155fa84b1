// Sort a table.dtws-sortable by any column: click (or Enter on) its heading; again for the other way.
// Each row's key is its cell's data-sort (a number, or text for a heading marked data-sort-by="text");
// a cell with an empty key (nothing measured) stays last either way. Rows are moved, never rewritten.
(function () {
  "use strict";
  function key(row, index, numeric) {
    var cell = row.children[index];
    var said = cell ? cell.getAttribute("data-sort") : "";
    if (said === null || said === "") return null;
    return numeric ? Number(said) : said.toLowerCase();
  }

  function sort(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var numeric = th.getAttribute("data-sort-by") === "number";
    var descending = th.getAttribute("aria-sort") === "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index, numeric), y = key(b, index, numeric);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(th.parentNode.children, function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.dtws-sortable"), function (table) {
    var head = table.tHead;
    head.addEventListener("click", function (event) {
      var th = event.target.closest("th[data-sort-by]");
      if (th) sort(table, th);
    });
    head.addEventListener("keydown", function (event) {
      var th = event.target.closest("th[data-sort-by]");
      if (th && event.key === "Enter") sort(table, th);
    });
  });
})();
