"""Parameters of a query, declared in its header and bound when it runs.

A query file (or query text) declares each parameter on a header line::

    # param: province (string, default 江苏) — the province, short or full Chinese name
    # param: on (date, default today) — the date the status is taken on
    # param: adcode (string, required) — the division's six-digit code
    # param: from_notice (string, optional) — unbound unless given

``NAME (TYPE[, default VALUE | , required | , optional]) — DESCRIPTION``: a type of :data:`TYPES`;
no default and no ``optional`` means required; a date's default may be ``today``. The query
uses the parameter as the variable ``?NAME``.

A value is turned into an RDF term (checked against the type) and bound by a ``VALUES`` block
inserted at the start of the query's WHERE group, after the query's own text has been tokenised:
the value is never pasted into the query, only pyoxigraph's serialisation of the term. So the
parameter is in scope in that group (its triple patterns, FILTERs, BINDs, OPTIONALs, EXISTS and
the projection), not inside a sub-SELECT or in the FILTER of a nested group or UNION branch,
which SPARQL evaluates on their own. (pyoxigraph's own ``substitutions=`` (SEP-0007) refuses
a variable that is not in the SELECT projection, refuses ASK, and does not reach a CONSTRUCT's
WHERE, so it is not used.)

>>> text = "# param: tier (iri, default ckg:pilot) — the tier\\nSELECT ?d WHERE { ?d ckg:tier ?tier }"
>>> [p.usage() for p in declared(text)]
['tier (iri, default ckg:pilot) — the tier']
>>> print(bind(text, {}).splitlines()[1])
SELECT ?d WHERE { VALUES (?tier) { (<https://w3id.org/cnipa-kg/def#pilot>) }  ?d ckg:tier ?tier }
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.errors import BadQuery, InputError

TYPES = ("string", "date", "integer", "iri")
XSD = "http://www.w3.org/2001/XMLSchema#"
SYNTAX = "# param: NAME (TYPE[, default VALUE | , required | , optional]) — DESCRIPTION"

_DECL = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*\((?P<type>\w+)\s*(?:,\s*(?P<spec>[^)]*?))?\s*\)\s*"
                   r"(?:(?:—|–|--|-|:)\s*(?P<description>.*))?")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None = None  #: the default as written (``today`` for a date); None: none
    required: bool = True
    description: str = ""

    def usage(self) -> str:
        spec = f"default {self.default}" if self.default is not None else ("required" if self.required else "optional")
        return f"{self.name} ({self.type}, {spec})" + (f" — {self.description}" if self.description else "")


def declared(text: str, source: str = "the query") -> list[Param]:
    """The parameters the header of ``text`` declares (``# param:`` lines before the query).

    :raises InputError: a malformed declaration, an unknown type, a bad default, a name declared
        twice or never used as ``?NAME`` in the query (with the line)
    """
    params: dict[str, Param] = {}
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line.startswith("#"):
            if line:
                break
            continue
        key, sep, value = line[1:].partition(":")
        if not sep or key.strip().lower() != "param":
            continue
        param = _parse(value.strip(), source, number)
        if param.name in params:
            raise InputError(source, number, f"parameter {param.name!r} is declared twice")
        if param.name not in variables(text):
            raise InputError(source, number, f"parameter {param.name!r} is declared but the query never uses ?{param.name}")
        params[param.name] = param
    return list(params.values())


def _parse(value: str, source: str, number: int) -> Param:
    m = _DECL.fullmatch(value)
    if not m:
        raise InputError(source, number, f"malformed parameter {value!r}: expected {SYNTAX}")
    name, type_, spec = m["name"], m["type"].lower(), (m["spec"] or "").strip()
    if type_ not in TYPES:
        raise InputError(source, number, f"parameter {name!r}: unknown type {type_!r} (one of {', '.join(TYPES)})")
    default, required = None, True
    if spec.lower() == "optional":
        required = False
    elif spec.lower().startswith("default "):
        default, required = spec[len("default "):].strip(), False
        try:
            term(Param(name, type_), default)
        except ValueError as exc:
            raise InputError(source, number, f"parameter {name!r}: bad default: {exc}") from None
    elif spec and spec.lower() != "required":
        raise InputError(source, number, f"parameter {name!r}: {spec!r} is none of 'default VALUE', 'required', 'optional'")
    return Param(name, type_, default, required, (m["description"] or "").strip())


def term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term for ``value`` of ``param``'s type.

    :raises ValueError: the value does not fit the type (a message without the parameter's name)
    """
    if value == "":
        raise ValueError("no value given")
    if param.type == "string":
        return ox.Literal(value)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,30}", value):
            raise ValueError(f"{value!r} is not an integer")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if param.type == "date":
        day = dt.date.today() if value == "today" else _date(value)
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    return _iri(value)


def _date(value: str) -> dt.date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD, or today)")


def _iri(value: str) -> ox.NamedNode:
    from ..core.vocab import PREFIXES

    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = str(PREFIXES[prefix]) + local
    elif value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    try:
        return ox.NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an absolute IRI or a prefixed name such as ckg:pilot ({exc})") from None


def assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` strings (``--param``) as a dict.

    :raises BadQuery: no ``=``, or a name given twice
    """
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BadQuery(f"--param {pair!r}: expected NAME=VALUE, e.g. --param province=广东")
        if name in given:
            raise BadQuery(f"parameter {name!r} is given twice")
        given[name] = value
    return given


def bind(text: str, given: Mapping[str, str], query: str = "the query") -> str:
    """``text`` with its declared parameters bound to the ``given`` values or their defaults.

    :raises BadQuery: a parameter the query does not declare, a required one not given, a value
        that does not fit its type (each one line, naming the parameter and the declared ones)
    :raises InputError: a malformed declaration in the header
    """
    params = declared(text, query)
    names = {p.name: p for p in params}
    listing = "; ".join(p.usage() for p in params) if params else "none"
    for name in given:
        if name not in names:
            raise BadQuery(f"{query} has no parameter {name!r}; it declares: {listing}")
    values: dict[str, ox.NamedNode | ox.Literal] = {}
    for p in params:
        value = given.get(p.name, p.default)
        if value is None:
            if p.required:
                raise BadQuery(f"{query} needs --param {p.name}=VALUE; it declares: {listing}")
            continue
        try:
            values[p.name] = term(p, value)
        except ValueError as exc:
            raise BadQuery(f"parameter {p.name!r} of {query}: {exc}; it declares: {listing}") from None
    return insert_values(text, values) if values else text


# -- the VALUES block --------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+) | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '''(?:[^'\\]|\\.|'(?!''))*''' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
  | (?P<word>[A-Za-z_][\w-]*(?::[\w.%:-]*)?|:[\w.%:-]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token but spaces and comments."""
    return [(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text) if m.lastgroup not in ("space", "comment")]


def variables(text: str) -> set[str]:
    """The names of the variables ``text`` uses (``?x`` and ``$x``), not counting comments and strings."""
    return {value[1:] for kind, value, _ in _tokens(text) if kind == "var"}


def insert_values(text: str, values: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` first in its WHERE group.

    :raises BadQuery: no WHERE group to put it in (a DESCRIBE without WHERE, ``CONSTRUCT WHERE {…}``)
    """
    block = "VALUES (" + " ".join(f"?{n}" for n in values) + ") { (" + " ".join(str(t) for t in values.values()) + ") }"
    toks = _tokens(text)
    forms = [i for i, (kind, value, _) in enumerate(toks) if kind == "word" and value.upper() in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")]
    if not forms:
        raise BadQuery("cannot bind parameters: no SELECT, CONSTRUCT, ASK or DESCRIBE in the query")
    i = forms[0] + 1
    if toks[forms[0]][1].upper() == "CONSTRUCT":
        while i < len(toks) and toks[i][1] != "{" and toks[i][1].upper() != "WHERE":
            i += 1  # FROM [NAMED] <iri>
        if i >= len(toks) or toks[i][1] != "{":
            raise BadQuery("cannot bind parameters in the short form CONSTRUCT WHERE { … }: write CONSTRUCT { … } WHERE { … }")
        i = _matching(toks, i) + 1  # past the template
    depth = 0
    while i < len(toks) and not (toks[i][1] == "{" and depth == 0):
        depth += {"(": 1, ")": -1}.get(toks[i][1], 0)  # an EXISTS { … } in a projection expression
        i += 1
    if i >= len(toks):
        raise BadQuery("cannot bind parameters: the query has no WHERE { … } group")
    at = toks[i][2] + 1
    if i + 1 < len(toks) and toks[i + 1][1].upper() == "SELECT":  # WHERE { SELECT … }: a sub-SELECT alone
        end = toks[_matching(toks, i)][2]
        return f"{text[:at]} {block} {{{text[at:end]}}} {text[end:]}"
    return f"{text[:at]} {block} {text[at:]}"


def _matching(toks: list[tuple[str, str, int]], i: int) -> int:
    depth = 0
    for j in range(i, len(toks)):
        depth += {"{": 1, "}": -1}.get(toks[j][1], 0)
        if depth == 0:
            return j
    raise BadQuery("cannot bind parameters: a { is never closed")
