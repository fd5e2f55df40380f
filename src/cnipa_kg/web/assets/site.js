// cnipa-kg pages: search (from search-index.json), the status of designations on a date (?on=YYYY-MM-DD or
// today), and a filterable, sortable table. No inline script: the Content-Security-Policy forbids it.
// The matching rules are those of cnipa_kg/web/search.py.
"use strict";
(function () {
  var KINDS = {division: "行政区划 division", park: "园区 park", document: "文件 document"};
  var STATUS = {active: ["进行中", "active"], ended: ["已结束", "ended"], future: ["尚未开始", "not yet started"],
                proposed: ["拟认定", "proposed"], unknown: ["时限不详", "period not stated"]};

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]/g, "");
  }

  function search(entries, query, limit) {
    var q = query.trim(), digits = /^[0-9]+$/.test(q), scored = [];
    if (!q) { return []; }
    var latin = digits ? "" : fold(q.replace(/[1-5](?=[^0-9]|$)/g, ""));
    entries.forEach(function (e) {
      var rank = null;
      if (digits) {
        rank = e[4] === q ? 0 : (e[4].indexOf(q) === 0 ? 1 : null);
      } else {
        [[e[1], q], [fold(e[3]), latin], [fold(e[2]), latin]].forEach(function (pair) {
          var field = pair[0], text = pair[1], r = null;
          if (!field || !text) { return; }
          if (field === text) { r = 0; } else if (field.indexOf(text) === 0) { r = 1; } else if (field.indexOf(text) >= 0) { r = 2; }
          if (r !== null && (rank === null || r < rank)) { rank = r; }
        });
      }
      if (rank !== null) { scored.push([rank, e[1].length, e]); }
    });
    scored.sort(function (a, b) {
      return a[0] - b[0] || a[1] - b[1] || (a[2][4] < b[2][4] ? -1 : a[2][4] > b[2][4] ? 1 : 0) ||
        (a[2][0] < b[2][0] ? -1 : a[2][0] > b[2][0] ? 1 : 0);
    });
    return scored.slice(0, limit).map(function (s) { return s[2]; });
  }

  var indexPromise = null;
  function loadIndex(url) {
    if (!indexPromise) {
      indexPromise = fetch(url).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
    }
    return indexPromise;
  }

  function hitItem(e, base, suffix) {
    var li = document.createElement("li"), a = document.createElement("a");
    a.href = new URL(e[0] + suffix, base).href;
    a.textContent = e[1] || e[2];
    li.appendChild(a);
    [[e[2], "en", "en"], [e[3], "py", "zh-Latn"], [e[4], "code", ""], [KINDS[e[5]], "kind", ""]].forEach(function (f) {
      if (!f[0]) { return; }
      var span = document.createElement("span");
      span.className = f[1];
      if (f[2]) { span.lang = f[2]; }
      span.textContent = " " + f[0];
      li.appendChild(document.createTextNode(" "));
      li.appendChild(span);
    });
    return li;
  }

  function wireSearch(input) {
    var url = new URL(input.dataset.index, location.href), suffix = input.dataset.suffix || "";
    var list = input.dataset.results ? document.getElementById(input.dataset.results) : null;
    var status = document.getElementById("search-status");
    if (!list) {
      list = document.createElement("ul");
      list.className = "hits dropdown";
      list.hidden = true;
      input.form.appendChild(list);
    }
    function run() {
      var q = input.value;
      loadIndex(url.href).then(function (entries) {
        var hits = search(entries, q, 20);
        list.replaceChildren.apply(list, hits.map(function (e) { return hitItem(e, url, suffix); }));
        list.hidden = !q.trim();
        if (status) { status.textContent = hits.length + " 个结果 · results"; }
      }).catch(function () { if (status) { status.textContent = "搜索索引不可用 · search index unavailable"; } });
    }
    input.addEventListener("input", run);
    if (input.dataset.results && !input.value) {  // the static site: the query comes from the URL
      input.value = new URLSearchParams(location.search).get("q") || "";
    }
    if (input.dataset.results && input.value && !list.children.length) { run(); }
  }

  function onDate() {
    var on = new URLSearchParams(location.search).get("on");
    // exactly YYYY-MM-DD and a real day (2024-02-30 is not), as the server takes it
    if (on && /^\d{4}-\d{2}-\d{2}$/.test(on) && !isNaN(Date.parse(on + "T00:00:00Z")) &&
        new Date(on + "T00:00:00Z").toISOString().slice(0, 10) === on) { return on; }
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function updateStatus() {
    var on = onDate();
    document.querySelectorAll(".status[data-start]").forEach(function (el) {
      var s = el.dataset.start, e = el.dataset.end, key;
      if (el.dataset.proposed) { key = "proposed"; } else if (!s) { key = "unknown"; }
      else if (on < s) { key = "future"; } else if (e && on > e) { key = "ended"; } else { key = "active"; }
      el.className = "status status-" + key;
      el.replaceChildren(document.createTextNode(STATUS[key][0] + " "));
      var en = document.createElement("span");
      en.lang = "en";
      en.textContent = STATUS[key][1];
      el.appendChild(en);
    });
    document.querySelectorAll("time.on").forEach(function (t) { t.dateTime = on; t.textContent = on; });
  }

  function wireTable(input) {
    var table = document.getElementById(input.dataset.table), count = document.getElementById("table-count");
    if (!table) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.closest(".filters").hidden = false;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), latin = fold(q), shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase(), hit = !q || text.indexOf(q) >= 0 || (latin && fold(text).indexOf(latin) >= 0);
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      if (count) { count.textContent = shown + " / " + rows.length; }
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        rows.slice().sort(function (a, b) {
          var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
          return (asc ? 1 : -1) * x.localeCompare(y, "zh-Hans-CN", {numeric: true});
        }).forEach(function (r) { table.tBodies[0].appendChild(r); });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-index]").forEach(wireSearch);
    document.querySelectorAll("input[data-table]").forEach(wireTable);
    updateStatus();
  });
}());
