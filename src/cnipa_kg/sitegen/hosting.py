"""Content negotiation on static hosts, the same as ``cnipa-kg serve`` where a static server can do it.

Written into the site: an Apache ``.htaccess`` (mod_rewrite to a type map per resource, ``PATH.var``,
which mod_negotiation resolves with the client's q-values; ``AllowOverride FileInfo Indexes``), and
for nginx a ``server`` block, ``nginx.conf``, with ``cnipa-kg-negotiate.js`` (njs, Debian's
``libnginx-mod-http-js``), which runs :func:`cnipa_kg.web.negotiate.negotiate`'s rule for pages. Both
declare the media types of every file of the site, send ``Vary: Accept`` and
``Access-Control-Allow-Origin: *``, answer a 404 as a page or as text as the client asks (``404.html``,
``404.txt``), a 406 when no format is acceptable, and never serve these files, the site's manifest or
the type maps by their own URL. Everything here is derived from the server's tables
(:data:`~cnipa_kg.web.negotiate.OFFERS`, :data:`~cnipa_kg.core.formats.MEDIA_BY_SUFFIX`), so the two
cannot drift apart; ``tests/test_hosting.py`` runs one table of requests against ``serve``, a real
nginx and a real Apache.
"""

from __future__ import annotations

import json

from ..core.formats import MEDIA_BY_SUFFIX
from ..web.negotiate import GENERIC, OFFERS, SUFFIXES

HTACCESS_FILE, NGINX_FILE, NJS_FILE = ".htaccess", "nginx.conf", "cnipa-kg-negotiate.js"
NOT_FOUND_PAGE, NOT_FOUND_TEXT, NOT_FOUND_MAP = "404.html", "404.txt", "404.var"
NOT_ACCEPTABLE_TEXT = "406.txt"
NOT_ACCEPTABLE = "acceptable: " + ", ".join(OFFERS["page"])  #: the 406 answer's text, as ``serve`` gives it
TYPE_MAP = ".var"  #: suffix of Apache's type maps, one per resource
#: files of the site that are configuration, not content: no configuration serves them by their URL
CONFIG_FILES = (HTACCESS_FILE, NGINX_FILE, NJS_FILE)
ROOT = "/var/www/cnipa-kg"  #: where the configurations expect the site (README: copy it there or edit root)

#: a page's formats, the server's preference first, each with its suffix
PAGE_VARIANTS = tuple((media, next(s for s, m in SUFFIXES.items() if m == media)) for media in OFFERS["page"])
#: media types of the site's files (``.json`` is the search index; the downloads' CSVW metadata is ``application/csvm+json``)
SITE_TYPES = {**MEDIA_BY_SUFFIX, ".json": "application/json", ".css": "text/css", ".js": "text/javascript",
              ".svg": "image/svg+xml", ".txt": "text/plain", ".LICENSE": "text/plain"}
DOWNLOAD_TYPES = dict(MEDIA_BY_SUFFIX)
#: what a generic type in Accept stands for when a page is asked for (``application/json`` is JSON-LD)
PAGE_GENERIC = {media: offer for (kind, media), offer in GENERIC.items() if kind == "page"}


def type_map(stem: str) -> str:
    """Apache's type map of one resource (``110108.var`` beside ``110108.html`` …): the page's formats,
    with source qualities a hair apart so that the client's q decides and the server's order breaks ties,
    then the generic types ``serve`` reads as one of them (``application/json``: the JSON-LD file)
    (no charset here: Apache would negotiate ``Accept-Charset`` too; mod_mime labels the file sent)."""
    entries = [f"URI: {stem}{suffix}\nContent-Type: {media}; qs={1 - i / 1000:.3f}\n"
               for i, (media, suffix) in enumerate(PAGE_VARIANTS)]
    suffix_of = dict(PAGE_VARIANTS)
    entries += [f"URI: {stem}{suffix_of[offer]}\nContent-Type: {generic}; qs={0.99 - i / 1000:.3f}\n"
                for i, (generic, offer) in enumerate(PAGE_GENERIC.items())]
    return "\n".join(entries)


def not_found_map() -> str:
    """The type map of the 404 answer: the page for a client that takes HTML, else text, as ``serve`` does
    (the text is listed under each RDF type too, so that a Turtle client gets it rather than a 406)."""
    entries = [f"URI: {NOT_FOUND_PAGE}\nContent-Type: text/html; qs=1.000\n"]
    for i, media in enumerate(["text/plain", *(m for m, _ in PAGE_VARIANTS if m != "text/html")]):
        entries.append(f"URI: {NOT_FOUND_TEXT}\nContent-Type: {media}; qs={0.9 - i / 1000:.3f}\n")
    return "\n".join(entries)


def _apache_types() -> str:
    lines = [f"AddType {media} {suffix}" for suffix, media in sorted(SITE_TYPES.items())]
    text = " ".join(sorted(s for s, m in SITE_TYPES.items() if m.startswith("text/")))
    return "\n".join([*lines, f"AddCharset utf-8 {text}"])


def htaccess() -> str:
    config = "|".join(name.replace(".", r"\.") for name in (*CONFIG_FILES, ".cnipa-kg-site"))
    return f"""# cnipa-kg static site: content negotiation for Apache httpd 2.4, as `cnipa-kg serve` does it.
# Needs mod_rewrite, mod_negotiation, mod_mime, mod_dir and mod_headers (Debian: a2enmod rewrite headers)
# and, for the folder of the site, `AllowOverride FileInfo Indexes` (nothing here needs Options). The site
# must be the root of its host (ErrorDocument takes a path from the root).
DirectoryIndex index.html
DirectorySlash Off
{_apache_types()}
AddHandler type-map .var
<FilesMatch "-metadata\\.json$">
  ForceType application/csvm+json
</FilesMatch>
<Files "void">
  ForceType "text/turtle; charset=utf-8"
</Files>
<IfModule mod_headers.c>
  Header always merge Vary Accept
  Header always set Access-Control-Allow-Origin "*"
</IfModule>
ErrorDocument 404 /{NOT_FOUND_MAP}
ErrorDocument 406 /{NOT_ACCEPTABLE_TEXT}
RewriteEngine On
# the configuration, the manifest, the type maps and the error answers are not pages of the site
RewriteCond %{{ENV:REDIRECT_STATUS}} ^$
RewriteRule (^|/)({config}|40[46]\\.(html|txt))$|\\.var$ - [R=404,L]
# an IRI without a suffix: the type map of its formats (mod_negotiation honours the client's q-values)
RewriteCond %{{REQUEST_FILENAME}}.var -f
RewriteRule ^(.+)$ $1.var [L]
# a folder that is not a page: no listing
RewriteCond %{{REQUEST_FILENAME}} -d
RewriteCond %{{REQUEST_FILENAME}}/index.html !-f
RewriteRule ^ - [R=404,L]
"""


def _nginx_types(types: dict[str, str], indent: str) -> str:
    by_media: dict[str, list[str]] = {}
    for suffix, media in sorted(types.items()):
        by_media.setdefault(media, []).append(suffix[1:])
    return "\n".join(f"{indent}{media} {' '.join(suffixes)};" for media, suffixes in sorted(by_media.items()))


def nginx_conf() -> str:
    hidden = "|".join(name.replace(".", r"\.") for name in (*CONFIG_FILES, ".cnipa-kg-site"))
    text_types = " ".join(sorted({m for m in SITE_TYPES.values() if m.startswith("text/") and m != "text/html"}))
    return f"""# cnipa-kg static site: content negotiation for nginx, as `cnipa-kg serve` does it.
# Needs the njs module (Debian: apt-get install nginx libnginx-mod-http-js, which loads it). Put this file
# in /etc/nginx/conf.d/ (it is read inside the http block) and the site in {ROOT}, or edit the two
# paths below; `nginx -t` checks it.
js_import cnipa_kg from {ROOT}/{NJS_FILE};
js_set $cnipa_kg_suffix cnipa_kg.suffix;
js_set $cnipa_kg_404 cnipa_kg.not_found_suffix;

server {{
    listen 8080;
    root {ROOT};
    charset utf-8;
    charset_types {text_types};
    types {{
{_nginx_types(SITE_TYPES, "        ")}
    }}
    default_type application/octet-stream;
    add_header Vary Accept always;
    add_header Access-Control-Allow-Origin * always;
    error_page 404 /404$cnipa_kg_404;
    error_page 406 /{NOT_ACCEPTABLE_TEXT};

    # an IRI without a suffix gets the format the client's Accept prefers (q-values honoured)
    location / {{
        try_files $uri$cnipa_kg_suffix $uri $uri/index.html @cnipa_kg_other;
    }}
    # no acceptable format of a page that exists: 406; anything else: 404
    location @cnipa_kg_other {{
        if (-f $request_filename.html) {{ return 406; }}
        return 404;
    }}
    location ^~ /dist/ {{
        types {{
{_nginx_types(DOWNLOAD_TYPES, "            ")}
        }}
    }}
    location = /.well-known/void {{ default_type text/turtle; }}
    location ~ ^/40[46]\\.(html|txt)$ {{ internal; }}
    # the configuration, the manifest and Apache's type maps are not pages of the site
    location ~ "(^/({hidden})$)|\\.var$" {{ return 404; }}
}}
"""


def negotiate_js() -> str:
    """The njs module behind ``nginx.conf``: :func:`cnipa_kg.web.negotiate.negotiate` for pages, in JavaScript."""
    offers = json.dumps([[media, suffix] for media, suffix in PAGE_VARIANTS])
    generic = json.dumps(PAGE_GENERIC)
    return f"""// cnipa-kg static site: content negotiation for nginx (njs), the rule of `cnipa-kg serve`
// (src/cnipa_kg/web/negotiate.py): the q of the most specific matching range; ties go to the range the
// client lists first, then to the server's order. Generated; do not edit.
var OFFERS = {offers};
var GENERIC = {generic};
var FLOAT = /^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$/;

function qOf(text) {{
    var t = text.trim();
    if (/^[+]?inf(inity)?$/i.test(t)) return 1;
    if (!FLOAT.test(t)) return 0;
    return Math.max(0, Math.min(1, Number(t)));
}}

function ranges(header) {{
    var found = [];
    if (header && header.trim()) {{
        header.split(",").forEach(function (part, i) {{
            var fields = part.split(";").map(function (f) {{ return f.trim(); }});
            var media = fields[0].toLowerCase();
            if (!media || media.indexOf("/") < 0) return;
            var q = 1;
            fields.slice(1).forEach(function (f) {{
                if (f.toLowerCase().indexOf("q=") === 0) q = qOf(f.slice(2));
            }});
            found.push([media, q, i]);
        }});
    }}
    found.sort(function (a, b) {{ return b[1] - a[1] || a[2] - b[2]; }});
    return found.length ? found : [["*/*", 1, 0]];
}}

function quality(offer, list) {{
    var best = null;
    list.forEach(function (range, position) {{
        var media = GENERIC[range[0]] || range[0], specificity;
        if (media === offer) specificity = 3;
        else if (media !== "*/*" && media.slice(-2) === "/*" && offer.indexOf(media.slice(0, -1)) === 0) specificity = 2;
        else if (media === "*/*") specificity = 1;
        else return;
        if (best === null || specificity > best[0]) best = [specificity, range[1], position];
    }});
    return best ? [best[1], best[2]] : [0, list.length];
}}

function negotiate(accept) {{
    var list = ranges(accept), chosen = null;
    OFFERS.forEach(function (offer, i) {{
        var qp = quality(offer[0], list), key = [qp[0], -qp[1], -i];
        if (chosen === null || key[0] > chosen[0][0] || (key[0] === chosen[0][0] &&
            (key[1] > chosen[0][1] || (key[1] === chosen[0][1] && key[2] > chosen[0][2])))) chosen = [key, offer];
    }});
    return chosen[0][0] > 0 ? chosen[1] : null;
}}

// the suffix of the file to serve for the request's Accept ("" when nothing is acceptable)
function suffix(r) {{
    var offer = negotiate(r.headersIn.Accept);
    return offer ? offer[1] : "";
}}

// the 404 answer: the page for a client that takes HTML, else text
function not_found_suffix(r) {{
    return suffix(r) === ".html" ? ".html" : ".txt";
}}

export default {{suffix: suffix, not_found_suffix: not_found_suffix}};
"""
