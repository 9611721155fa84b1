// The front page's table of every cell: drawn from table.json (written by `dtws site`), filtered by
// library, Python, Django, verdict and text, sorted by any column, shown a page of rows at a time
// (so the page stays a few screens tall). Text from the data only ever goes into the page as text
// (textContent), never as HTML.
(function () {
  "use strict";
  var holder = document.getElementById("dtws-cells");
  if (!holder) return;
  var root = holder.getAttribute("data-root") || "";  // where the site's root is, from the page

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var PAGE_SIZES = [20, 50, 100, 0];  // rows a page shows; 0: all of them

  function versionKey(text) {
    return String(text).split(".").map(function (part) { return ("000000" + part).slice(-6); }).join(".");
  }

  function draw(data) {
    var marks = data.marks, statuses = data.statuses;
    // Each cell's page as dtws.addresses spells it; an earlier run's table.json (carried forward) lacks it.
    var pattern = data.address || "cells/{library}/{cell}/";
    function address(row) {
      return pattern.replace("{library}", row.library).replace("{cell}", row.cell);
    }
    // A value given once and named by its index (an earlier run's table.json has the value itself).
    function shared(list, value) { return list && typeof value === "number" ? list[value] : value; }
    function factor(version) { return version.split(".").join(""); }
    var rows = data.cells.map(function (item) {
      return {
        library: data.libraries[item[0]],
        // null: the name its library, Python and Django make (dtws.matrix.Cell.env)
        cell: item[1] === null ? "py" + factor(item[2]) + "-django" + factor(item[3]) + data.suffixes[item[0]] : item[1],
        python: item[2], django: item[3],
        pythonVersion: shared(data.versions, item[4]), djangoVersion: shared(data.versions, item[5]),
        libraryVersion: shared(data.versions, item[6]),
        columns: shared(data.verdicts, item[7]).map(function (index) { return statuses[index]; }),
        coverage: item[8], reason: item[9] === null ? "" : data.reasons[item[9]],
        was: item[10] === null ? null : statuses[item[10]],
        since: item[11],
        claim: shared(data.claims_keys, item[12])
      };
    });
    // A time given as seconds since 1970, as dtws writes it: 2026-12-05T21:56:08+00:00.
    function iso(moment) {
      return typeof moment === "number" ? new Date(moment * 1000).toISOString().slice(0, 19) + "+00:00" : moment;
    }
    // How long before the site was built, as its pages say it (dtws.when.said_ago): "3 days ago".
    function ago(seconds) {
      for (var index = 0; index < data.units.length; index++) {
        var count = Math.floor(Math.abs(seconds) / data.units[index][0]);
        if (count) {
          var said = count + " " + data.units[index][1] + (count !== 1 ? "s" : "");
          return seconds > 0 ? said + " ago" : "in " + said;
        }
      }
      return "just now";
    }
    var status = function (row) { return row.columns[row.columns.length - 1]; };
    var sortKeys = {
      library: function (row) { return row.library; },
      python: function (row) { return versionKey(row.python); },
      django: function (row) { return versionKey(row.django); },
      cell: function (row) { return row.cell; },
      coverage: function (row) { return row.coverage === null ? -1 : row.coverage; },
      reason: function (row) { return row.reason; }
    };
    data.columns.forEach(function (heading, index) {
      sortKeys["column" + index] = function (row) { return statuses.indexOf(row.columns[index]); };
    });

    function distinct(pick, byVersion) {
      var seen = {};
      rows.forEach(function (row) { seen[pick(row)] = true; });
      var values = Object.keys(seen);
      return byVersion ? values.sort(function (a, b) { return versionKey(a) < versionKey(b) ? -1 : 1; }) : values.sort();
    }
    function select(name, label, values, words) {
      var options = [el("option", { value: "" }, ["all"])].concat(values.map(function (value) {
        return el("option", { value: value }, [words ? words[value] : value]);
      }));
      return el("label", {}, [label, el("select", { name: name }, options)]);
    }
    var words = {};
    statuses.forEach(function (key) { words[key] = marks[key][0] + " " + marks[key][1]; });
    var filters = el("form", { class: "dtws-filters", role: "search" }, [
      select("library", "Library", distinct(function (row) { return row.library; })),
      select("python", "Python", distinct(function (row) { return row.python; }, true)),
      select("django", "Django", distinct(function (row) { return row.django; }, true)),
      select("status", "Verdict", distinct(status).sort(function (a, b) {
        return statuses.indexOf(a) - statuses.indexOf(b);
      }), words),
      el("label", {}, ["Text", el("input", { name: "text", type: "search", placeholder: "cell, version or reason" })]),
      el("label", {}, ["Rows", el("select", { name: "size" }, PAGE_SIZES.map(function (size) {
        return el("option", { value: String(size) }, [size ? String(size) : "all"]);
      }))])
    ]);
    var shown = el("p", { class: "dtws-shown", "aria-live": "polite" });
    var headings = [["library", "Library"], ["python", "Python"], ["django", "Django"], ["cell", "More details"]]
      .concat(data.columns.map(function (heading, index) { return ["column" + index, heading]; }))
      .concat([["coverage", "Coverage"], ["reason", "Why"]]);
    var head = el("tr", {}, headings.map(function (pair) {
      return el("th", { "data-sort": pair[0], scope: "col", tabindex: "0" }, [pair[1]]);
    }));
    var body = el("tbody");
    var table = el("table", { class: "dtws-table dtws-all" }, [el("thead", {}, [head]), body]);
    var order = { key: null, descending: false };
    var at = 0;  // the first row of the page shown
    var previous = el("button", { type: "button", name: "previous" }, ["‹ previous"]);
    var next = el("button", { type: "button", name: "next" }, ["next ›"]);
    var where = el("span", { class: "dtws-where" });
    var pager = el("nav", { class: "dtws-pager", "aria-label": "pages of the table" }, [previous, where, next]);

    function rowOf(row) {
      var mark = marks[status(row)];
      var details = [el("a", { href: root + address(row) }, [row.cell])];
      if (row.libraryVersion) details.push(el("br"), el("small", {}, [row.library + " " + row.libraryVersion]));
      if (row.claim) {
        details.push(" ", el("span", { class: "dtws-claim dtws-" + row.claim }, [data.claims[row.claim]]));
      }
      if (row.was) {
        details.push(" ", el("span", { class: "dtws-changed" }, ["changed (was " + marks[row.was][1].toLowerCase() + ")"]));
      }
      var cells = [
        el("td", {}, [row.library]),
        el("td", {}, row.pythonVersion ? [row.python, el("br"), el("small", {}, [row.pythonVersion])] : [row.python]),
        el("td", {}, row.djangoVersion ? [row.django, el("br"), el("small", {}, [row.djangoVersion])] : [row.django]),
        el("td", {}, details)
      ].concat(row.columns.map(function (key, index) {
        var each = marks[key];
        var shown = [each[0] + " " + each[1]];
        if (index === row.columns.length - 1 && row.since) {
          // [its time, seconds before the build or as it reads]; an earlier run's table.json has [ISO, as it
          // reads], or the day alone
          var said = typeof row.since === "string" ? [row.since, row.since] : row.since;
          var when = iso(said[0]), text = typeof said[1] === "number" ? ago(said[1]) : said[1];
          var since = el("time", { datetime: when, title: when }, [text]);
          shown.push(el("br"), el("small", { class: "dtws-since" }, ["since ", since]));
        }
        return el("td", { class: "dtws-verdict dtws-" + each[2], "data-column": data.columns[index] }, shown);
      })).concat([
        el("td", {}, [row.coverage === null ? "—" : Math.round(row.coverage) + "%"]),
        el("td", { class: "dtws-reason" }, [row.reason])
      ]);
      return el("tr", {
        class: "dtws-row dtws-row-" + mark[2], "data-cell": row.cell, "data-library": row.library, "data-status": status(row)
      }, cells);
    }

    function update() {
      var form = new FormData(filters);
      var text = String(form.get("text") || "").toLowerCase();
      var picked = rows.filter(function (row) {
        return (!form.get("library") || row.library === form.get("library")) &&
          (!form.get("python") || row.python === form.get("python")) &&
          (!form.get("django") || row.django === form.get("django")) &&
          (!form.get("status") || status(row) === form.get("status")) &&
          (!text || [row.library, row.cell, row.python, row.django, row.pythonVersion, row.djangoVersion,
            row.libraryVersion, row.reason].join(" ").toLowerCase().indexOf(text) !== -1);
      });
      if (order.key) {
        var key = sortKeys[order.key];
        picked.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (order.descending ? -1 : 1);
        });
      }
      var size = Number(new FormData(filters).get("size")) || picked.length;
      at = Math.max(0, Math.min(at, Math.floor((picked.length - 1) / size) * size));
      body.replaceChildren.apply(body, picked.slice(at, at + size).map(rowOf));
      shown.textContent = picked.length + " of " + rows.length + " cells shown.";
      where.textContent = picked.length ? "rows " + (at + 1) + "–" + Math.min(at + size, picked.length) +
        " of " + picked.length : "no rows";
      previous.disabled = at === 0;
      next.disabled = at + size >= picked.length;
      pager.hidden = picked.length <= size;
    }
    function turn(by) {
      var size = Number(new FormData(filters).get("size")) || rows.length;
      at = Math.max(0, at + by * size);
      update();
    }
    previous.addEventListener("click", function () { turn(-1); });
    next.addEventListener("click", function () { turn(1); });

    function sortBy(th) {
      var key = th.getAttribute("data-sort");
      order.descending = order.key === key ? !order.descending : false;
      order.key = key;
      at = 0;
      Array.prototype.forEach.call(head.children, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", order.descending ? "descending" : "ascending");
      update();
    }
    head.addEventListener("click", function (event) { if (event.target.closest("th")) sortBy(event.target.closest("th")); });
    head.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.closest("th")) sortBy(event.target.closest("th"));
    });
    filters.addEventListener("input", function () { at = 0; update(); });
    filters.addEventListener("submit", function (event) { event.preventDefault(); });
    holder.replaceChildren(filters, shown, el("div", { class: "dtws-scroll" }, [table]), pager);
    update();
  }

  fetch(holder.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(draw)
    .catch(function (error) {
      holder.textContent = "The table could not be loaded (" + error.message + "); each library's page lists its cells.";
    });
})();
