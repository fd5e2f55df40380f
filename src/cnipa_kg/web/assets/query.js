// cnipa-kg query editor (/sparql): pick an example, run the query against /sparql, show the answer as
// a table whose IRIs carry their labels (one more SPARQL query, VALUES) and link to this server's pages.
// The query is kept in the address bar (?query=…): that URL opens the editor with the query and its
// answer (the server renders it), so it can be shared. No inline script, no other origin (CSP).
// The text is the <textarea id="query">'s; editor.js (CodeMirror) edits it in place and keeps it current.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  if (!form) { return; }
  var textarea = document.getElementById("query");
  var named = document.getElementById("named");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var copyButton = document.getElementById("copy-link");
  var base = form.getAttribute("data-base") || "";
  var prefix = form.getAttribute("data-prefix") || "";
  var endpoint = form.getAttribute("action");

  var MAX_ROWS = 1000;  // rows shown, as on the server's results page; the downloads have them all
  var LABEL_CHUNK = 16000;  // bytes of IRIs in one label query (the server takes queries of 32 KiB by default)
  var MAX_LABELLED = 3000;  // distinct IRIs looked up at most
  var SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel";
  var RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label";
  var JSON_RESULTS = "application/sparql-results+json";
  // the prefixes the endpoint declares for every query (core/vocab.py PREFIXES); the page may pass them
  var PREFIXES = {
    ckg: "https://w3id.org/cnipa-kg/def#",
    eli: "http://data.europa.eu/eli/ontology#",
    org: "http://www.w3.org/ns/org#",
    skos: "http://www.w3.org/2004/02/skos/core#",
    dcterms: "http://purl.org/dc/terms/",
    prov: "http://www.w3.org/ns/prov#",
    void: "http://rdfs.org/ns/void#",
    dcat: "http://www.w3.org/ns/dcat#",
    schema: "https://schema.org/",
    owl: "http://www.w3.org/2002/07/owl#",
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    xsd: "http://www.w3.org/2001/XMLSchema#",
    vann: "http://purl.org/vocab/vann/",
    geo: "http://www.opengis.net/ont/geosparql#",
    wd: "http://www.wikidata.org/entity/"
  };
  try {
    var given = JSON.parse(form.getAttribute("data-prefixes") || "null");
    if (given && typeof given === "object") { PREFIXES = given; }
  } catch (ignored) { /* keep the built-in list */ }
  var NAMESPACES = Object.keys(PREFIXES).map(function (p) { return [p, PREFIXES[p]]; })
    .sort(function (a, b) { return b[1].length - a[1].length; });  // the longest namespace first

  // -- IRIs -------------------------------------------------------------------------------------------

  function isLocal(iri) { return base !== "" && iri.indexOf(base) === 0; }

  function href(iri) { return isLocal(iri) ? prefix + "/" + iri.substring(base.length) : iri; }

  /** prefix:local for an IRI in a known namespace; the path on this server for one under the base. */
  function shortName(iri) {
    for (var i = 0; i < NAMESPACES.length; i++) {
      var ns = NAMESPACES[i][1];
      var local = iri.substring(ns.length);
      if (iri.indexOf(ns) === 0 && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(local) && local.slice(-1) !== ".") {
        return NAMESPACES[i][0] + ":" + local;
      }
    }
    return isLocal(iri) ? href(iri) : "<" + iri + ">";
  }

  function queryUrl(query, format) {
    var url = endpoint + "?query=" + encodeURIComponent(query);
    return format ? url + "&format=" + encodeURIComponent(format) : url;
  }

  function urlQuery() { return new URLSearchParams(window.location.search).get("query"); }

  // -- rendering --------------------------------------------------------------------------------------

  function element(name, text, attributes) {
    var el = document.createElement(name);
    if (text !== undefined && text !== null) { el.textContent = text; }
    Object.keys(attributes || {}).forEach(function (k) { el.setAttribute(k, attributes[k]); });
    return el;
  }

  function iriLink(iri) {
    // only http(s), mailto and our own IRIs become links: a javascript: or data: IRI in an answer stays text
    if (!isLocal(iri) && !/^(https?:\/\/|mailto:)/i.test(iri)) {
      return element("span", shortName(iri), { "class": "iri", title: iri });
    }
    return element("a", shortName(iri), { href: href(iri), "data-iri": iri, title: iri });
  }

  function cell(value) {
    var td = document.createElement("td");
    if (!value) { return td; }
    if (value.type === "uri") {
      td.appendChild(iriLink(value.value));
    } else if (value.type === "bnode") {
      td.textContent = "_:" + value.value;
    } else {
      td.textContent = value.value;
      if (value["xml:lang"]) { td.setAttribute("lang", value["xml:lang"]); }
    }
    return td;
  }

  function downloads(query, formats) {
    var p = element("p", "下载 ", { id: "downloads" });
    p.appendChild(element("span", "Download", { lang: "en" }));
    p.appendChild(document.createTextNode(": "));
    formats.forEach(function (f, i) {
      if (i > 0) { p.appendChild(document.createTextNode(" · ")); }
      p.appendChild(element("a", f[1], { href: queryUrl(query, f[0]), download: f[2], "data-format": f[0] }));
    });
    return p;
  }

  function rowCount(total, shown, zh, one, many) {
    var more = total > shown;
    return element("p", total + " " + zh + (more ? "（显示前 " + shown + " " + zh + "）" : "") + " · " + total + " " +
      (total === 1 ? one : many) + (more ? " (the first " + shown + " shown)" : ""), { id: "row-count" });
  }

  /** The table of an answer: a header of variables, a row per solution (the first MAX_ROWS). */
  function table(vars, rows, headings) {
    var t = element("table", null, { "class": "results" });
    var head = document.createElement("tr");
    vars.forEach(function (v, i) { head.appendChild(element("th", headings ? headings[i] : v, { scope: "col" })); });
    t.appendChild(document.createElement("thead")).appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (b) {
      var tr = document.createElement("tr");
      vars.forEach(function (v) { tr.appendChild(cell(b[v])); });
      body.appendChild(tr);
    });
    t.appendChild(body);
    var box = element("div", null, { "class": "table-wrap" });
    box.appendChild(t);
    return box;
  }

  function show(parts) {
    results.textContent = "";
    parts.forEach(function (part) { results.appendChild(part); });
  }

  var SOLUTION_FORMATS = [["csv", "CSV", "results.csv"], ["json", "JSON", "results.json"], ["tsv", "TSV", "results.tsv"]];
  var GRAPH_FORMATS = [["ttl", "Turtle", "results.ttl"], ["nt", "N-Triples", "results.nt"], ["jsonld", "JSON-LD", "results.jsonld"]];

  function renderSolutions(data, query) {
    if (Object.prototype.hasOwnProperty.call(data, "boolean")) {
      show([element("p", data.boolean ? "是 · true" : "否 · false", { id: "boolean" }),
            downloads(query, [SOLUTION_FORMATS[1]])]);
      return;
    }
    var rows = data.results.bindings;
    var shown = rows.slice(0, MAX_ROWS);
    show([rowCount(rows.length, shown.length, "行", "row", "rows"), downloads(query, SOLUTION_FORMATS),
          table(data.head.vars, shown)]);
  }

  // N-Triples (what the editor asks for a CONSTRUCT or DESCRIBE) -> terms as in SPARQL JSON results
  var NT_TERM = /^\s*(?:<((?:[^>\\]|\\.)*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/;
  var NT_ESCAPES = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };

  function unescapeNt(text) {
    return text.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, function (all, u4, u8, c) {
      if (u4 || u8) { return String.fromCodePoint(parseInt(u4 || u8, 16)); }
      return Object.prototype.hasOwnProperty.call(NT_ESCAPES, c) ? NT_ESCAPES[c] : c;
    });
  }

  function parseNTriples(text) {
    var triples = [];
    text.split("\n").forEach(function (line) {
      var rest = line;
      var terms = [];
      for (var i = 0; i < 3; i++) {
        var m = NT_TERM.exec(rest);
        if (!m) { return; }  // a blank line or a comment
        rest = rest.substring(m[0].length);
        if (m[1] !== undefined) {
          terms.push({ type: "uri", value: unescapeNt(m[1]) });
        } else if (m[2] !== undefined) {
          terms.push({ type: "bnode", value: m[2] });
        } else {
          var literal = { type: "literal", value: unescapeNt(m[3]) };
          if (m[4]) { literal["xml:lang"] = m[4]; }
          if (m[5]) { literal.datatype = m[5]; }
          terms.push(literal);
        }
      }
      triples.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    });
    return triples;
  }

  function renderGraph(ntriples, query) {
    var triples = parseNTriples(ntriples);
    var shown = triples.slice(0, MAX_ROWS);
    show([rowCount(triples.length, shown.length, "个三元组", "triple", "triples"), downloads(query, GRAPH_FORMATS),
          table(["subject", "predicate", "object"], shown, ["主语 · subject", "谓语 · predicate", "宾语 · object"])]);
  }

  // -- labels: one SPARQL query (VALUES) for the IRIs in the table; any failure leaves the short names ---

  function pickLabels(bindings) {
    var found = {};
    bindings.forEach(function (b) {
      if (!b.iri || !b.label || b.label.type !== "literal") { return; }
      var entry = found[b.iri.value] || (found[b.iri.value] = { skos: {}, rdfs: {} });
      var kind = b.p && b.p.value === SKOS_PREFLABEL ? "skos" : "rdfs";
      var lang = (b.label["xml:lang"] || "").toLowerCase();
      var key = lang === "zh" || (lang.indexOf("zh-") === 0 && lang.indexOf("-latn") < 0) ? "zh"
        : lang === "en" || lang.indexOf("en-") === 0 ? "en" : "other";
      if (!entry[kind][key] || (key === "zh" && lang === "zh")) { entry[kind][key] = b.label.value; }
    });
    var out = {};
    Object.keys(found).forEach(function (iri) {
      var e = found[iri];
      var zh = e.skos.zh || e.rdfs.zh;
      var en = e.skos.en || e.rdfs.en;
      var first = zh || en || e.skos.other || e.rdfs.other;
      if (first) { out[iri] = { first: first, lang: zh ? "zh" : en ? "en" : "", en: zh && en ? en : "" }; }
    });
    return out;
  }

  function applyLabels(links, labels) {
    links.forEach(function (a) {
      var label = labels[a.getAttribute("data-iri")];
      if (!label || a.hasAttribute("data-labelled")) { return; }
      a.setAttribute("data-labelled", "");
      a.title = shortName(a.getAttribute("data-iri")) + " · " + a.getAttribute("data-iri");
      a.textContent = label.first;
      if (label.lang) { a.setAttribute("lang", label.lang); }
      if (label.en) {
        var en = element("span", label.en, { "class": "en", lang: "en" });
        a.parentNode.insertBefore(en, a.nextSibling);
        a.parentNode.insertBefore(document.createTextNode(" "), en);
      }
    });
  }

  function labelQuery(iris) {
    return "SELECT ?iri ?p ?label WHERE {\n  VALUES ?iri { <" + iris.join("> <") + "> }\n" +
      "  VALUES ?p { <" + SKOS_PREFLABEL + "> <" + RDFS_LABEL + "> }\n  ?iri ?p ?label .\n}";
  }

  function fetchLabels(iris) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/sparql-query", "Accept": JSON_RESULTS },
      body: labelQuery(iris)
    }).then(function (response) {
      return response.ok ? response.json() : { results: { bindings: [] } };
    }).then(function (data) { return pickLabels((data.results && data.results.bindings) || []); });
  }

  var labelRun = 0;

  function label(container) {
    var run = ++labelRun;
    var links = Array.prototype.slice.call(container.querySelectorAll("table.results a[data-iri]"));
    var seen = {};
    var iris = [];
    links.forEach(function (a) {
      var iri = a.getAttribute("data-iri");
      // only IRIs that can be written <…> in a query (they come from the store: all should)
      if (!seen[iri] && iris.length < MAX_LABELLED && !/[\u0000-\u0020<>"{}|^`\\]/.test(iri)) {
        seen[iri] = true;
        iris.push(iri);
      }
    });
    var chunks = [];
    var chunk = [];
    var size = 0;
    iris.forEach(function (iri) {
      if (chunk.length && size > LABEL_CHUNK) { chunks.push(chunk); chunk = []; size = 0; }
      chunk.push(iri);
      size += new Blob([iri]).size + 3;
    });
    if (chunk.length) { chunks.push(chunk); }
    // one query after the other (the server limits the queries of one client at a time)
    chunks.reduce(function (previous, part) {
      return previous.then(function () {
        if (run !== labelRun) { return null; }  // a newer answer replaced the table
        return fetchLabels(part).then(function (labels) {
          if (run === labelRun) { applyLabels(links, labels); }
        });
      });
    }, Promise.resolve()).catch(function () { /* labels are a nicety: the short names stay */ });
  }

  // -- running a query --------------------------------------------------------------------------------

  function showCopy() { if (copyButton) { copyButton.hidden = urlQuery() === null; } }

  function remember(query) {
    var url = queryUrl(query);
    if (urlQuery() === query) {
      window.history.replaceState({ query: query }, "", url);
    } else {
      window.history.pushState({ query: query }, "", url);
    }
    showCopy();
  }

  var runId = 0;

  function run(query, record) {
    var id = ++runId;
    var started = Date.now();
    status.textContent = "运行中… · Running…";
    results.setAttribute("aria-busy", "true");
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "Accept": JSON_RESULTS + ", application/n-triples;q=0.9" },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      if (!response.ok) {
        return response.text().then(function (text) {
          throw new Error("出错 · Error " + response.status + ": " + text.trim());
        });
      }
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      return (type === JSON_RESULTS ? response.json() : response.text()).then(function (body) {
        return { type: type, body: body };
      });
    }).then(function (answer) {
      if (id !== runId) { return; }
      if (answer.type === JSON_RESULTS) {
        renderSolutions(answer.body, query);
      } else {
        renderGraph(answer.body, query);
      }
      label(results);
      if (record) { remember(query); }
      status.textContent = "完成 · Done (" + ((Date.now() - started) / 1000).toFixed(1) + " s)";
    }).catch(function (error) {
      if (id !== runId) { return; }
      status.textContent = error.message;
      results.textContent = "";
    }).then(function () {
      if (id === runId) { results.removeAttribute("aria-busy"); }
    });
  }

  // -- examples ---------------------------------------------------------------------------------------

  function syncNamed() {
    var index = 0;
    for (var i = 1; i < named.options.length; i++) {
      if (named.options[i].getAttribute("data-query") === textarea.value) { index = i; break; }
    }
    named.selectedIndex = index;
  }

  /** The examples, from the editor page, when this page was rendered without them (a results page). */
  function loadExamples() {
    if (named.options.length > 1) { return; }
    fetch(endpoint, { headers: { "Accept": "text/html" } }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      var page = new DOMParser().parseFromString(html, "text/html");
      var options = page.querySelectorAll("#named option[data-query]");
      if (named.options.length > 1) { return; }
      Array.prototype.forEach.call(options, function (o) {
        var option = element("option", o.textContent, { value: o.value, "data-query": o.getAttribute("data-query") });
        named.appendChild(option);
      });
      syncNamed();
    }).catch(function () { /* the editor works without examples */ });
  }

  // -- wiring -----------------------------------------------------------------------------------------

  /** A new query text: into the textarea, and into the editor over it (editor.js listens for this event). */
  function setText(text) {
    textarea.value = text;
    textarea.dispatchEvent(new Event("cnipa-kg:set"));
  }

  named.addEventListener("change", function () {
    var option = named.options[named.selectedIndex];
    if (option && option.hasAttribute("data-query")) {
      setText(option.getAttribute("data-query"));
    }
  });

  textarea.addEventListener("input", syncNamed);

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run(textarea.value, true);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(textarea.value, true);
  });

  if (copyButton) {
    copyButton.addEventListener("click", function () {
      var url = window.location.href;
      var done = function () { status.textContent = "链接已复制 · Link copied"; };
      var failed = function () { status.textContent = "请从地址栏复制链接 · Copy the link from the address bar: " + url; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(url).then(done, failed);
      } else {
        failed();
      }
    });
  }

  window.addEventListener("popstate", function () {
    var query = urlQuery();
    if (query === null) {
      runId++;
      labelRun++;
      results.textContent = "";
      status.textContent = "";
    } else {
      setText(query);
      syncNamed();
      run(query, false);
    }
    showCopy();
  });

  // a page opened with ?query=… carries its answer (rendered by the server): label it
  showCopy();
  syncNamed();
  loadExamples();
  label(results);
})();
