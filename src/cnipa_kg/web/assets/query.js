// cnipa-kg query page: pick a named query, run it against /sparql, show the results as a table.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("query");
  var named = document.getElementById("named");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var base = form.getAttribute("data-base");
  var prefix = form.getAttribute("data-prefix");

  function href(iri) {
    return iri.indexOf(base) === 0 ? prefix + "/" + iri.substring(base.length) : iri;
  }

  function cell(value) {
    var td = document.createElement("td");
    if (!value) { return td; }
    if (value.type === "uri") {
      var a = document.createElement("a");
      a.href = href(value.value);
      a.textContent = value.value;
      td.appendChild(a);
    } else {
      td.textContent = value.value;
    }
    return td;
  }

  function render(data) {
    results.textContent = "";
    if (Object.prototype.hasOwnProperty.call(data, "boolean")) {
      results.textContent = String(data.boolean);
      return;
    }
    var vars = data.head.vars;
    var rows = data.results.bindings;
    var count = document.createElement("p");
    count.id = "row-count";
    count.textContent = rows.length + " rows";
    results.appendChild(count);
    var table = document.createElement("table");
    table.className = "results";
    var head = document.createElement("tr");
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = v; head.appendChild(th); });
    table.appendChild(head);
    rows.forEach(function (b) {
      var tr = document.createElement("tr");
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      table.appendChild(tr);
    });
    results.appendChild(table);
  }

  named.addEventListener("change", function () {
    var option = named.options[named.selectedIndex];
    textarea.value = option.getAttribute("data-query");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "running…";
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json" },
      body: "query=" + encodeURIComponent(textarea.value)
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) { throw new Error(response.status + ": " + text); });
      }
      return response.json();
    }).then(function (data) {
      status.textContent = "";
      render(data);
    }).catch(function (error) {
      status.textContent = error.message;
      results.textContent = "";
    });
  });
})();
