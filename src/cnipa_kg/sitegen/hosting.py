"""Content negotiation on static hosts: an Apache ``.htaccess`` and an nginx snippet, written into
the site. An IRI without a suffix (``/division/110108``) gets ``.ttl``, ``.jsonld`` or ``.nt`` when
the client asks for Turtle, JSON-LD or N-Triples, and ``.html`` otherwise; the types of the files
are declared; ``Vary: Accept`` is sent."""

HTACCESS = r"""# cnipa-kg static site: content negotiation for Apache httpd 2.4
# (mod_rewrite, mod_mime, mod_headers, mod_dir; AllowOverride FileInfo Options Indexes)
Options -MultiViews -Indexes
DirectoryIndex index.html
DirectorySlash Off
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-triples .nt
AddType application/json .json
AddType text/csv .csv
AddType text/markdown .md
AddType image/svg+xml .svg
AddCharset utf-8 .html .ttl .nt .jsonld .json .csv .md .js .css .svg
<Files "void">
  ForceType text/turtle
</Files>
<IfModule mod_headers.c>
  Header merge Vary Accept
</IfModule>
RewriteEngine On
RewriteCond %{HTTP_ACCEPT} text/turtle
RewriteCond %{REQUEST_FILENAME}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{HTTP_ACCEPT} application/ld\+json
RewriteCond %{REQUEST_FILENAME}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{HTTP_ACCEPT} application/n-triples
RewriteCond %{REQUEST_FILENAME}.nt -f
RewriteRule ^(.+)$ $1.nt [L]
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME}.html -f
RewriteRule ^(.+)$ $1.html [L]
"""

NGINX = r"""# cnipa-kg static site: content negotiation for nginx. Put the map in the http block and the
# server block in your configuration; set root to the folder `cnipa-kg site --out` wrote.
map $http_accept $cnipa_kg_suffix {
    default                    ".html";
    "~*text/turtle"            ".ttl";
    "~*application/ld\+json"   ".jsonld";
    "~*application/n-triples"  ".nt";
}

server {
    listen 8080;
    root /srv/cnipa-kg-site;
    index index.html;
    types {
        text/html html;
        text/css css;
        text/javascript js;
        image/svg+xml svg;
        application/json json;
        text/turtle ttl;
        application/ld+json jsonld;
        application/n-triples nt;
        text/csv csv;
        text/markdown md;
    }
    charset utf-8;
    charset_types text/turtle application/ld+json application/n-triples text/csv text/markdown application/json;
    location = /.well-known/void { default_type text/turtle; }
    location / {
        add_header Vary Accept;
        try_files $uri$cnipa_kg_suffix $uri $uri/index.html =404;
    }
}
"""
