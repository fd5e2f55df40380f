"""The store's URL: checked before anything is read or sent, the graph's URL built from it, and any text
fit for a message with the URL's credentials hidden."""

from __future__ import annotations

import re
import urllib.parse

from ..core.errors import InputError

_SAFE = "/%:@!$&'()*+,;=?"  # left as they are when the rest of the URL's path and query is percent-encoded
_USERINFO = re.compile(r"^([^/?#]*//)?([^/?#]*)@")  # the userinfo: up to the last @ of the authority


def redact(text: str, url: str | None = None) -> str:
    """``text`` fit for a one-line message: the credentials of ``url`` (default: ``text``) as ``user:***``,
    control characters escaped, at most 200 characters.

    >>> redact("https://alice:s3cret@example.org/store")
    'https://alice:***@example.org/store'
    """
    if match := _USERINFO.match(text if url is None else url):
        user, colon, _ = match[2].partition(":")
        text = text.replace(f"{match[2]}@", f"{user}:***@" if colon else "***@")
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= 200 else text[:199] + "…"


def store_url(store: str) -> urllib.parse.SplitResult:
    """``store`` split, once checked (see the module's docstring). :raises InputError: a bad store URL"""
    def bad(message: str) -> InputError:
        return InputError(redact(store) or "--store", None, message)

    form = "expected http(s)://host[:port]/path"
    if any(c.isspace() or not c.isprintable() for c in store):
        raise bad(f"the store URL has a space or a control character; {form}")
    try:
        target = urllib.parse.urlsplit(store)
        port = target.port
        (target.hostname or "").encode("idna")
    except ValueError as exc:  # UnicodeError (a bad host name) is one too
        raise bad(f"the store URL is malformed ({redact(str(exc), store)}); {form}") from None
    if target.scheme not in ("http", "https") or not target.hostname:
        raise bad(f"the store URL must start with http:// or https:// and name a host; {form}")
    if port == 0:
        raise bad("the store URL's port must be 1-65535")
    if "@" in target.netloc:
        raise bad("credentials in the store URL are refused: set CNIPA_KG_STORE_USER and CNIPA_KG_STORE_PASSWORD")
    if {key for key, _ in urllib.parse.parse_qsl(target.query, keep_blank_values=True)} & {"graph", "default"}:
        raise bad("the store URL must not have a graph or default parameter: the graph comes from --graph")
    return target


def graph_url(store: str, graph: str | None) -> str:
    """The Graph Store Protocol URL of ``graph`` at ``store``: one ``graph`` parameter (``default`` for
    the default graph, ``graph`` None), no fragment.

    >>> graph_url("http://127.0.0.1:7878/store#top", "https://w3id.org/cnipa-kg/dataset")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fcnipa-kg%2Fdataset'
    >>> graph_url("http://127.0.0.1:7878/store", None)
    'http://127.0.0.1:7878/store?default'
    """
    target = store_url(store)
    which = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    query = "&".join(filter(None, [urllib.parse.quote(target.query, safe=_SAFE), which]))
    path = urllib.parse.quote(target.path or "/", safe=_SAFE)
    return urllib.parse.urlunsplit((target.scheme, target.netloc, path, query, ""))
