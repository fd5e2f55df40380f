"""SPARQL helpers shared by the QC checks, the query command and the server: the project's
prefixes, the query text as sent (:func:`query_text`), the refusal of queries too deep for
oxigraph (:func:`nesting_refusal`), and evaluation with errors a person can act on.

>>> print(with_prefixes("PREFIX ckg: <x:> ASK {}").splitlines()[0])
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""

from __future__ import annotations

import re

from .errors import BadQuery
from .vocab import sparql_prefixes

#: brackets ``(`` ``{`` ``[`` ``<<`` and ``!`` operators open at once; measured (pyoxigraph 0.5.13,
#: 8 MiB stack: a process's main thread and a Python thread alike), the parser overflows its stack
#: at 2,188 nested ``{``, 4,669 ``(``, 3,440 ``[``, 9,345 ``!`` and 708 levels of ``EXISTS { FILTER(``
MAX_NESTING = 64
#: patterns and operators in a row along one path of the query; measured likewise, the algebra
#: built from a flat chain overflows at 2,616 ``BIND``s or ``{} MINUS {}``s, 6,539 ``UNION``s,
#: ``OPTIONAL``s, ``GRAPH``s or ``VALUES``, 6,881 ``+``, 8,176 ``/`` (a path), 9,341 ``||``
MAX_CHAIN = 500

_LEXEME = re.compile(r"""
    \s+ | \#[^\n\r]*
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '(?:[^'\\\n\r]|\\.)*' | "(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<operand>[?$]\w+ | @[A-Za-z]+(?:-[A-Za-z0-9]+)* | (?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)? | \\.)
  | (?P<word>(?:[^\W\d]\w*(?:[.-]+\w+)*)?:(?:\w|[.%:-](?=[\w%:-]))* | [^\W\d]\w*(?:-\w+)*)
  | (?P<open>[({\[]|<<) | (?P<close>[)}\]]|>>)
  | (?P<op>\|\||&&|!=|[!.;,|/+*-])
  | .
""", re.VERBOSE | re.DOTALL)
_CLOSES = {")": "(", "}": "{", "]": "[", ">>": "<<"}
_CHAIN_WORDS = frozenset({"UNION", "MINUS", "OPTIONAL", "FILTER", "BIND", "VALUES", "GRAPH", "SERVICE", "LATERAL"})
_IN_PATTERNS = "{["  #: groups where ``.``, ``;`` and ``,`` separate triple patterns (else: arguments)


class _Group:
    __slots__ = ("bangs", "deepest", "elements", "expression", "kind", "run")

    def __init__(self, kind: str, expression: bool) -> None:
        self.kind, self.expression = kind, expression  #: the bracket; whether it holds an expression
        self.elements = 0  #: patterns and operators in it so far
        self.deepest = 0  #: the longest chain of a group inside it
        self.run = self.bangs = 0  #: ``!`` in a row now, and the most so far


def query_text(text: str) -> str:
    """The query, without the one U+FEFF (an encoding signature, "BOM") it may start with: the
    command line (query text or file) and the endpoint (body, form, ``query=``) read a query so.

    >>> query_text("\\ufeff\\ufeffASK {}") == "\\ufeffASK {}"
    True
    """
    return text.removeprefix("\ufeff")


def nesting_refusal(text: str) -> str | None:
    """Why oxigraph must not parse ``text`` (one line), or None.

    pyoxigraph's parser recurses, and so does what it builds: a query nested too deep (or one
    chain of patterns too long) overflows the stack and kills the process with no message. So,
    before any parse, brackets and ``!`` are counted outside strings, IRIs and comments: at most
    :data:`MAX_NESTING` open at once, at most :data:`MAX_CHAIN` patterns and operators along one
    path. Inside an expression, ``<`` after an operand is less-than (what follows is read as the
    query: an IRI is never valid there), elsewhere it opens an IRI, as in oxigraph's grammar.
    Where the reading is unsure it counts more, never less.

    >>> nesting_refusal("SELECT * WHERE { ?s ?p '((((' FILTER(!BOUND(?x)) } # ((((") is None
    True
    >>> print(nesting_refusal("ASK " + "{" * 65 + "}" * 65))
    the query nests more than 64 levels deep (brackets and ! operators; line 1): oxigraph's parser would overflow its stack
    """
    stack = [_Group("", False)]
    depth, pos, line, prev, before = 0, 0, 1, ("", ""), ("", "")
    while pos < len(text):
        m = _LEXEME.match(text, pos)
        kind, end, top = m.lastgroup, m.end(), stack[-1]
        if kind == "iri" and top.expression and _operand(*prev):
            kind, end = None, pos + 1  # less-than: what follows is read as the query, not as an IRI
        token = text[pos:end]
        line += token.count("\n") + token.count("\r") - token.count("\r\n")
        pos = end
        if kind is None and (not token.strip() or token.startswith("#")):
            continue
        if token == "!":
            top.run += 1
            top.elements += 1
            if top.run > top.bangs:
                depth, top.bangs = depth + 1, top.run
        else:
            top.run = 0
        if kind == "open":
            top.elements += token == "{" and top.kind == "{"  # a group in a group is joined to the rest
            stack.append(_Group(token, token == "(" and _expression(top, prev, before, len(stack))))
            depth += 1
        elif kind == "close" and len(stack) > 1 and _CLOSES[token] == top.kind:
            depth -= 1 + top.bangs
            _close(stack)
        elif kind == "op" and token != "!=" and (token not in ".;," or top.kind in _IN_PATTERNS):
            top.elements += token != "!"
        elif kind == "word" and token.upper() in _CHAIN_WORDS:
            top.elements += 1
        if depth > MAX_NESTING:
            return (f"the query nests more than {MAX_NESTING} levels deep (brackets and ! operators; line {line}): "
                    "oxigraph's parser would overflow its stack")
        prev, before = ({"string": "operand", None: "op"}.get(kind, kind), token), prev
    while len(stack) > 1:
        _close(stack)
    if stack[0].elements + stack[0].deepest > MAX_CHAIN:
        return (f"the query chains more than {MAX_CHAIN} patterns and operators (. ; , || && + - * / | UNION MINUS "
                "OPTIONAL FILTER BIND VALUES …) along one path: oxigraph would overflow its stack; use VALUES or "
                "fewer patterns")
    return None


def _operand(kind: str, token: str) -> bool:
    """Whether the token (kind, text) ends an operand, so that a ``<`` after it is less-than."""
    return kind in ("operand", "iri", "close") or kind == "word" and (":" in token or token.lower() in ("true", "false"))


def _expression(top: _Group, prev: tuple[str, str], before: tuple[str, str], depth: int) -> bool:
    """Whether a ``(`` opened in ``top`` holds an expression (else terms: a collection, a path, a
    VALUES row): in an expression, outside any group (SELECT, HAVING, ORDER BY …), or after
    ``FILTER``, ``BIND`` or the function of ``FILTER fn(…)`` in a group."""
    if top.expression or depth == 1:
        return True
    return top.kind in _IN_PATTERNS and (prev[1].upper() in ("FILTER", "BIND")
                                         or prev[0] in ("word", "iri") and before[1].upper() == "FILTER")


def _close(stack: list[_Group]) -> None:
    group = stack.pop()
    stack[-1].deepest = max(stack[-1].deepest, group.elements + group.deepest + 1)


def with_prefixes(text: str) -> str:
    """Prepend the project's prefixes (ckg:, eli:, skos: …) unless the query declares them itself."""
    declared = {line.split()[1] for line in text.splitlines() if line.strip().upper().startswith("PREFIX") and len(line.split()) > 1}
    return "".join(line for line in sparql_prefixes().splitlines(keepends=True) if line.split()[1] not in declared) + text


def run(store, text: str, *, use_prefixes: bool = True, **options):
    """Evaluate a query on a pyoxigraph store; :class:`BadQuery` with the parser's line and column
    (in the user's text) on a syntax error, or when the query is too deep to parse
    (:func:`nesting_refusal`). ``options`` go to ``Store.query``."""
    if (refused := nesting_refusal(text)) is not None:
        raise BadQuery(refused)
    prefixed = with_prefixes(text) if use_prefixes else text
    try:
        return store.query(prefixed, **options)
    except SyntaxError as exc:
        shift = prefixed.count("\n") - text.count("\n")
        raise BadQuery(f"malformed query: {shift_position(str(exc), shift)}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise BadQuery(f"query failed: {exc}") from None


def shift_position(message: str, lines: int) -> str:
    """Report positions relative to the user's text, not the prefixes prepended to it.

    >>> shift_position("error at 17:5: expected", 14)
    'error at line 3, column 5: expected'
    """

    def fix(m: re.Match) -> str:
        return f"error at line {max(1, int(m.group(1)) - lines)}, column {m.group(2)}"

    return re.sub(r"error at (\d+):(\d+)", fix, message, count=1)
