"""The sidecar of a source: ``X.toml`` beside ``X.txt`` (or ``X.pdf``, ``X.html``) says where the copy
comes from and states the facts the copy does not print, each with its evidence.

A copy of an issuer's document taken from a mirror or a repost may lack its title, its 文号 or its
signature. Such a fact is never guessed: it is stated in the sidecar, with where it is known from, or it
stays unknown. The format (TOML; every key but ``[copy] url`` optional)::

    [copy]
    url = "https://…"            # the page the copy was taken from
    retrieved = 2026-12-07       # when
    description = "a repost …"   # what the copy is and what it lacks (free text)

    [document]
    kind = { value = "notice", evidence = "…" }            # notice | public-notice (公示)
    title = { value = "关于…的通知", evidence = "…" }
    number = { value = "国知发保字〔2024〕4号", evidence = "…" }
    issuer = { value = "国家知识产权局", evidence = "…" }
    date = { value = 2023-04-24, evidence = "…" }

A stated fact that the text prints too must agree with it (else the build stops: one of the two is
wrong). A fact the text prints needs no sidecar.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..core.errors import InputError

KINDS = ("notice", "public-notice")
FACTS = ("kind", "title", "number", "issuer", "date")


@dataclass(frozen=True)
class Fact:
    value: str | date
    evidence: str


@dataclass(frozen=True)
class Sidecar:
    path: str  #: as found (for messages)
    name: str  #: file name only (for provenance)
    url: str
    retrieved: date | None
    description: str
    facts: dict[str, Fact]

    def get(self, key: str) -> str | date | None:
        fact = self.facts.get(key)
        return None if fact is None else fact.value


def sidecar_path(source: str | Path) -> Path:
    source = Path(source)
    return source.with_name(source.stem + ".toml")


def read_sidecar(source: str | Path) -> Sidecar | None:
    """The sidecar beside ``source``, checked; None when there is none.

    :raises InputError: ``X.toml:LINE: message`` for malformed TOML, an unknown key or a fact without evidence
    """
    path = sidecar_path(source)
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError(path, None, "a sidecar must be UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, None, f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise InputError(path, None, f"cannot read: {exc.strerror or exc}") from None
    unknown = set(data) - {"copy", "document"}
    if unknown:
        raise InputError(path, None, f"unknown table(s) {', '.join(sorted(unknown))} (expected [copy] and [document])")
    copy, document = data.get("copy", {}), data.get("document", {})
    if not isinstance(copy, dict) or not isinstance(document, dict):
        raise InputError(path, None, "[copy] and [document] must be tables")
    url = copy.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InputError(path, None, "[copy] needs url = \"http(s)://…\": the page the copy was taken from")
    retrieved = copy.get("retrieved")
    if retrieved is not None and not isinstance(retrieved, date):
        raise InputError(path, None, "[copy] retrieved must be a date (retrieved = 2026-12-07)")
    extra = set(copy) - {"url", "retrieved", "description"}
    if extra:
        raise InputError(path, None, f"[copy] has unknown key(s) {', '.join(sorted(extra))}")
    facts = {}
    for key, fact in document.items():
        if key not in FACTS:
            raise InputError(path, None, f"[document] has an unknown fact {key!r} (known: {', '.join(FACTS)})")
        if not isinstance(fact, dict) or set(fact) != {"value", "evidence"}:
            raise InputError(path, None, f"[document] {key} must be {{ value = …, evidence = \"…\" }}: "
                                         "a fact the copy does not print needs its evidence")
        value, evidence = fact["value"], fact["evidence"]
        if not isinstance(evidence, str) or not evidence.strip():
            raise InputError(path, None, f"[document] {key}: the evidence must be a non-empty text")
        wanted = date if key == "date" else str
        if not isinstance(value, wanted) or (wanted is str and not value.strip()):
            raise InputError(path, None, f"[document] {key}: the value must be a {'date' if key == 'date' else 'non-empty text'}")
        if key == "kind" and value not in KINDS:
            raise InputError(path, None, f"[document] kind must be one of {', '.join(KINDS)}, not {value!r}")
        facts[key] = Fact(value.strip() if isinstance(value, str) else value, " ".join(evidence.split()))
    return Sidecar(path=str(path), name=path.name, url=url, retrieved=retrieved,
                   description=" ".join(str(copy.get("description", "")).split()), facts=facts)
