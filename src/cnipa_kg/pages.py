"""HTML pages of the server: home, resource descriptions, SPARQL results, the query editor.

Everything echoed is HTML-escaped. Pages are bilingual (zh / en) where the data is.
No inline script (the Content-Security-Policy forbids it): the query editor's behaviour is
the packaged ``assets/query.js``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape

from .validate import curie

SKOS_PREFLABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class Links:
    """Turns release IRIs into links on this server (``prefix`` = the app's root path)."""

    def __init__(self, release_base: str, prefix: str = "") -> None:
        self.release_base = release_base
        self.prefix = prefix.rstrip("/")

    def href(self, iri: str) -> str:
        if iri.startswith(self.release_base):
            return f"{self.prefix}/{iri[len(self.release_base):]}"
        return iri

    def a(self, iri: str, text: str | None = None) -> str:
        return f'<a href="{escape(self.href(iri))}">{escape(text if text is not None else iri)}</a>'


def layout(title: str, body: str, *, prefix: str = "", lang: str = "zh") -> str:
    p = escape(prefix.rstrip("/"))
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><link rel=\"stylesheet\" href=\"{p}/assets/style.css\"></head><body>"
            f'<header><a href="{p}/">cnipa-kg</a> · <a href="{p}/sparql">SPARQL</a> · '
            f'<a href="{p}/.well-known/void">VoID</a></header><main>{body}</main></body></html>\n')


def _labels(triples: list[tuple[str, str, dict]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for s, p, o in triples:
        if p == SKOS_PREFLABEL and o.get("type") == "literal":
            out[s].setdefault(o.get("lang", ""), o["value"])
    return out


def _value(o: dict, labels: dict, links: Links) -> str:
    if o["type"] == "uri":
        label = labels.get(o["value"], {})
        text = label.get("zh") or label.get("en") or curie_text(o["value"])
        extra = f' <span class="en">{escape(label["en"])}</span>' if label.get("zh") and label.get("en") else ""
        return links.a(o["value"], text) + extra
    lang = f' <span class="lang">@{escape(o["lang"])}</span>' if o.get("lang") else ""
    return f"{escape(o['value'])}{lang}"


def curie_text(iri: str) -> str:
    from rdflib import URIRef

    return curie(URIRef(iri))


def resource_page(iri: str, triples: list[tuple[str, str, dict]], links: Links, *, alternates: dict[str, str]) -> str:
    """A description page: outgoing properties, then what links here."""
    labels = _labels(triples)
    own = labels.get(iri, {})
    title_zh, title_en = own.get("zh", ""), own.get("en", "")
    out_props: dict[str, list[dict]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    designees: dict[str, str] = {}
    for s, p, o in triples:
        if s == iri:
            out_props[p].append(o)
        elif o.get("type") == "uri" and o["value"] == iri:
            incoming[p].append(s)
        if p == "https://w3id.org/cnipa-kg/def#designee":
            designees[s] = o["value"]
    rows = []
    for p in sorted(out_props, key=lambda x: (x != RDF_TYPE, curie_text(x))):
        values = sorted(out_props[p], key=lambda o: (o.get("lang", ""), o["value"]))
        rows.append(f"<tr><th>{escape(curie_text(p))}</th><td>" + "<br>".join(_value(o, labels, links) for o in values) + "</td></tr>")
    body = [f'<h1>{escape(title_zh or curie_text(iri))}</h1>']
    if title_en:
        body.append(f'<p class="en" lang="en">{escape(title_en)}</p>')
    body.append(f'<p class="iri"><code>{escape(iri)}</code></p>')
    body.append("<p>" + " · ".join(f'<a href="{escape(href)}">{escape(name)}</a>' for name, href in alternates.items()) + "</p>")
    body.append('<table class="props">' + "".join(rows) + "</table>")
    if incoming:
        body.append("<h2>链接到此 · Linked from here</h2>")
        for p in sorted(incoming, key=curie_text):
            items = []
            for s in sorted(incoming[p], key=lambda x: (len(x), x)):
                item = _value({"type": "uri", "value": s}, labels, links)
                if s in designees:
                    item += " → " + _value({"type": "uri", "value": designees[s]}, labels, links)
                items.append(f"<li>{item}</li>")
            body.append(f"<h3>{escape(curie_text(p))} ({len(items)})</h3><ul>{''.join(items)}</ul>")
    return layout(title_zh or title_en or iri, "".join(body), prefix=links.prefix)


def home_page(summary: dict, links: Links) -> str:
    notices = "".join(
        f"<li>{links.a(n['iri'], n['number'])} {escape(n['title'])} — {escape(n['date'])}, "
        f"{escape(n['issuer'])}; {escape(n['counts'])}</li>" for n in summary["notices"])
    downloads = "".join(f'<li><a href="{escape(links.prefix)}/dist/{escape(f)}">{escape(f)}</a></li>' for f in summary["files"])
    body = (
        "<h1>国家知识产权强市建设试点示范城市知识图谱</h1>"
        '<p class="en" lang="en">China\'s national IP-strong-city designations as linked data</p>'
        f"<p>{summary['triples']:,} triples · {summary['designations']} designations · {summary['divisions']} administrative divisions</p>"
        f"<h2>通知 · Notices</h2><ul>{notices}</ul>"
        f'<h2>查询 · Query</h2><p><a href="{escape(links.prefix)}/sparql">SPARQL query page and endpoint</a> '
        f'(<code>{escape(links.prefix)}/sparql</code>) · <a href="{escape(links.prefix)}/.well-known/void">VoID description</a></p>'
        f"<h2>下载 · Downloads</h2><ul>{downloads}</ul>"
    )
    return layout("cnipa-kg", body, prefix=links.prefix)


def query_page(named: dict[str, tuple[str, str]], links: Links, *, query: str = "") -> str:
    """The query editor; ``named`` maps name -> (title, text)."""
    options = "".join(
        f'<option value="{escape(name)}" data-query="{escape(text)}">{escape(name)} — {escape(title)}</option>'
        for name, (title, text) in named.items())
    first = query or (next(iter(named.values()))[1] if named else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    body = (
        "<h1>SPARQL 查询 · Query</h1>"
        f'<form id="query-form" method="get" action="{escape(links.prefix)}/sparql" '
        f'data-base="{escape(links.release_base)}" data-prefix="{escape(links.prefix)}">'
        f'<label>示例查询 · Named query <select id="named">{options}</select></label>'
        f'<textarea id="query" name="query" rows="16" spellcheck="false">{escape(first)}</textarea>'
        '<button type="submit" id="run">运行 · Run</button> <span id="status" role="status"></span>'
        "</form>"
        '<div id="results"></div>'
        f'<script src="{escape(links.prefix)}/assets/query.js" defer></script>'
    )
    return layout("SPARQL · cnipa-kg", body, prefix=links.prefix)


def results_page(results_json: bytes, links: Links, *, query: str) -> str:
    """SPARQL JSON results as an HTML table (for a browser that asked /sparql?query=…)."""
    data = json.loads(results_json)
    if "boolean" in data:
        table = f"<p>{'true' if data['boolean'] else 'false'}</p>"
    else:
        names = data["head"]["vars"]
        rows = []
        for b in data["results"]["bindings"]:
            cells = []
            for n in names:
                v = b.get(n)
                if v is None:
                    cells.append("<td></td>")
                elif v["type"] == "uri":
                    cells.append(f"<td>{links.a(v['value'])}</td>")
                else:
                    cells.append(f"<td>{escape(v['value'])}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{escape(n)}</th>" for n in names)
        table = f'<p>{len(rows)} rows</p><table class="results"><tr>{head}</tr>{"".join(rows)}</table>'
    body = f'<h1>SPARQL results</h1><pre class="query">{escape(query)}</pre>{table}'
    return layout("SPARQL results · cnipa-kg", body, prefix=links.prefix)


def graph_page(turtle: bytes, links: Links, *, query: str) -> str:
    body = f'<h1>SPARQL result graph</h1><pre class="query">{escape(query)}</pre><pre>{escape(turtle.decode("utf-8"))}</pre>'
    return layout("SPARQL results · cnipa-kg", body, prefix=links.prefix)


def not_found_page(path: str, links: Links) -> str:
    return layout("404 · cnipa-kg", f"<h1>404</h1><p>未找到 · Not found: <code>{escape(path)}</code></p>", prefix=links.prefix)
