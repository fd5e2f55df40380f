"""Search by name (Chinese, pinyin with or without tones, English) or 6-digit code: a small index
of the divisions, parks and documents, built once from the store, shipped as
``search-index.json`` (the browser searches it, on the server and on the static site alike:
``assets/site.js`` has the same matching rules) and searched here for ``/search``.

An index entry is ``[path, zh, en, pinyin, code, kind]``; ``path`` is the IRI below the base.
"""

from __future__ import annotations

import json
import re
import unicodedata

from ..core.vocab import CKG
from .views import Select, labels

KINDS = {str(CKG.AdministrativeDivision): "division", str(CKG.Park): "park", str(CKG.Notice): "document",
         str(CKG.PublicNotice): "document"}
KIND_NAMES = {"division": "行政区划 division", "park": "园区 park", "document": "文件 document"}
MAX_HITS = 50


def fold(text: str) -> str:
    """Latin text for matching: tone marks and other diacritics dropped (ǚ → u), lower case, letters
    and digits only (``Hǎidiàn Qū`` → ``haidianqu``, ``Xi'an`` → ``xian``)."""
    decomposed = unicodedata.normalize("NFD", text)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower())


def build_index(select: Select, base: str) -> list[list[str]]:
    """The index entries, sorted (kind, code, path): deterministic."""
    values = " ".join(f"<{k}>" for k in KINDS)
    rows = select(f"""SELECT ?s ?t ?code ?number WHERE {{ VALUES ?t {{ {values} }} ?s a ?t .
                      OPTIONAL {{ ?s ckg:adcode ?code }} OPTIONAL {{ ?s eli:id_local ?number }} }}""")
    names = labels(select, [r["s"] for r in rows])
    entries = {}
    for r in rows:
        if not r["s"].startswith(base):
            continue
        n = names.get(r["s"], {})
        kind = KINDS[r["t"]]
        zh = n.get("zh", "") if kind != "document" else " ".join(x for x in (r["number"], n.get("zh", "")) if x)
        entries[r["s"]] = [r["s"][len(base):], zh, n.get("en", ""), n.get("py", ""), r["code"], kind]
    order = {"division": 0, "park": 1, "document": 2}
    return sorted(entries.values(), key=lambda e: (order[e[5]], e[4], e[0]))


def index_json(entries: list[list[str]]) -> bytes:
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def search(entries: list[list[str]], query: str, *, limit: int = MAX_HITS) -> list[dict]:
    """Entries matching ``query``, best first: an exact name or code, then a prefix, then a substring."""
    q = query.strip()
    if not q:
        return []
    latin = fold(re.sub(r"[1-5](?=[^0-9]|$)", "", q)) if not q.isdigit() else ""  # tone numbers: hai3dian4
    scored = []
    for e in entries:
        path, zh, en, py, code, kind = e
        rank = None
        if q.isdigit():
            rank = 0 if code == q else 1 if code.startswith(q) else None
        else:
            for field, text in ((zh, q), (fold(py), latin), (fold(en), latin)):
                if not text or not field:
                    continue
                r = 0 if field == text else 1 if field.startswith(text) else 2 if text in field else None
                if r is not None and (rank is None or r < rank):
                    rank = r
        if rank is not None:
            scored.append((rank, len(zh), e))
    scored.sort(key=lambda s: (s[0], s[1], s[2][4], s[2][0]))
    return [{"path": e[0], "zh": e[1], "en": e[2], "py": e[3], "code": e[4], "kind": KIND_NAMES[e[5]]}
            for _, _, e in scored[:limit]]
