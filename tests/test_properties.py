"""Property-based tests (issue 8 §5): the real notice mutated at random.

Mutations: delete a line, duplicate a line, swap two lines, insert junk, change a digit (one to
three of them per mutant). For every mutant the library (extract → mint → enrich) either gives a
graph whose designations match the counts the notice declares, or raises ``InputError`` whose
message starts with the file name and ``:LINE:`` (the file name alone for whole-file problems) —
never any other exception. A handful of mutants also go through ``cnipa-kg build``: exit 0 with a
full release that ``validate`` accepts, or exit 2 with ``FILE:LINE:`` and nothing written.

Deterministic (``derandomize=True``, no example database) and quick (40 examples).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import NOTICE, invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LINES = NOTICE.read_text(encoding="utf-8").split("\n")
NAME = "mutant.txt"

JUNK = [
    "附件 3", "序号 省份 城市（城区）", "99 北京 海淀区", "73 火星 奥林帕斯市", "特此通知。", "国知发运字〔2022〕34号",
    "2022年 13月 45日", "北京", "1", "0", "海淀区", "抄送：各有关城市（城区）人民政府。", "国家知识产权局办公室 2022年 8月 4日印发",
    "\ufeff", "（此件公开发布）", "确定天津市等 3个城市为国家知识产权强市建设示范城市（名单见附件 3）", "第 1 页 共 9 页", "\t", "　",
]
JUNK_ALPHABET = "0123456789０１２３ 　\t北京市区县省海淀附件序号。，：（）〔〕号年月日-—abcXYZ"

mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("junk"), st.integers(0, len(LINES)), st.one_of(st.sampled_from(JUNK), st.text(JUNK_ALPHABET, min_size=1, max_size=16))),
    st.tuples(st.just("digit"), st.integers(0, 10_000), st.sampled_from("0123456789")),
)


def mutate(lines: list[str], mutations) -> list[str]:
    lines = list(lines)
    for m in mutations:
        kind = m[0]
        if not lines:
            break
        if kind == "delete":
            del lines[m[1] % len(lines)]
        elif kind == "duplicate":
            i = m[1] % len(lines)
            lines.insert(i, lines[i])
        elif kind == "swap":
            i, j = m[1] % len(lines), m[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "junk":
            lines.insert(m[1] % (len(lines) + 1), m[2])
        elif kind == "digit":
            text = "\n".join(lines)
            digits = [k for k, c in enumerate(text) if c.isdigit()]
            k = digits[m[1] % len(digits)]
            lines = (text[:k] + m[2] + text[k + 1:]).split("\n")
    return lines


def check_error_message(exc, line_count: int) -> None:
    """``NAME:LINE: message`` with a line of the mutant, or ``NAME: message``."""
    text = str(exc)
    if exc.line is None:
        assert text.startswith(f"{NAME}: "), text
    else:
        assert text.startswith(f"{NAME}:{exc.line}: "), text
        assert 1 <= exc.line <= line_count, f"line {exc.line} outside the file's {line_count} lines: {text}"
    assert "\n" not in text.strip(), f"multi-line message: {text!r}"
    assert len(text) < 1000, text


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutation, min_size=1, max_size=3))
def test_mutated_notice_gives_a_consistent_graph_or_an_input_error(mutations):
    from cnipa_kg.graph.enrich import enrich
    from cnipa_kg.core.errors import InputError
    from cnipa_kg.extract import extract_text
    from cnipa_kg.graph.mint import mint
    from cnipa_kg.core.vocab import CKG
    from rdflib.namespace import RDF

    lines = mutate(LINES, mutations)
    text = "\n".join(lines)
    try:
        notice = extract_text(text, path=NAME)
        graph = enrich(mint([notice]), [notice])
    except InputError as exc:
        check_error_message(exc, len(lines))
        return
    declared = {a.number: a.declared_count for a in notice.annexes}
    assert all(len(a.rows) == a.declared_count for a in notice.annexes), declared
    designations = set(graph.subjects(RDF.type, CKG.Designation))
    assert len(designations) == sum(declared.values()), (len(designations), declared)
    per_annex = {}
    for d in designations:
        annex = graph.value(d, CKG.inAnnex)
        per_annex[int(graph.value(annex, CKG.annexNumber))] = per_annex.get(int(graph.value(annex, CKG.annexNumber)), 0) + 1
        assert int(graph.value(annex, CKG.declaredCount)) == declared[int(graph.value(annex, CKG.annexNumber))]
    assert per_annex == declared
    serials = sorted((int(graph.value(graph.value(d, CKG.inAnnex), CKG.annexNumber)), int(graph.value(d, CKG.serialNumber)))
                     for d in designations)
    assert serials == sorted((n, s) for n, c in declared.items() for s in range(1, c + 1))


def test_mutate_changes_what_it_says():
    assert mutate(LINES, [("delete", 0)]) == LINES[1:]
    assert mutate(LINES, [("duplicate", 0)])[:2] == [LINES[0], LINES[0]]
    assert mutate(LINES, [("swap", 0, 2)])[:3] == [LINES[2], LINES[1], LINES[0]]
    assert mutate(LINES, [("junk", 1, "xyz")])[:3] == [LINES[0], "xyz", LINES[1]]
    changed = mutate(LINES, [("digit", 0, "9")])
    assert changed != LINES and len(changed) == len(LINES)


# -- a handful of mutants through the command line --------------------------------------------------


def _line_no(text: str) -> int:
    return LINES.index(text) + 1


def _digit(needle: str, offset: int = 0) -> int:
    """The ``("digit", N, …)`` index of the digit at ``offset`` in the first occurrence of ``needle``."""
    text = "\n".join(LINES)
    at = text.index(needle) + offset
    assert text[at].isdigit()
    return [k for k, c in enumerate(text) if c.isdigit()].index(at)


CLI_MUTANTS = {
    # name: (mutations, expected exit: 0 a valid release, 2 refused, None either)
    "delete-a-blank-line": ([("delete", 1)], 0),
    "junk-in-the-body": ([("junk", _line_no("提供有力支撑。"), "（以下无正文）")], 0),
    "signature-day-changed": ([("digit", _digit("2022年 8月 4日", 9), "9")], 0),
    "delete-a-row": ([("delete", _line_no("40 洛阳市") - 1)], 2),
    "duplicate-a-row": ([("duplicate", _line_no("2 朝阳区") - 1)], 2),
    "swap-two-rows": ([("swap", _line_no("11 苏州市") - 1, _line_no("12 徐州市") - 1)], 2),
    "junk-in-a-table": ([("junk", _line_no("5 辽宁 大连市"), "乱码 ### 火星")], 2),
    "declared-count-changed": ([("digit", _digit("38个", 1), "9")], 2),
}


@pytest.fixture(scope="module")
def release_files(release_dir) -> list[str]:
    return sorted(str(p.relative_to(release_dir)) for p in release_dir.rglob("*") if p.is_file())


@pytest.mark.parametrize("name", list(CLI_MUTANTS))
def test_mutant_through_cli_is_a_valid_release_or_a_clean_refusal(runner, tmp_path, monkeypatch, release_files, name):
    mutations, expected = CLI_MUTANTS[name]
    lines = mutate(LINES, mutations)
    assert lines != LINES
    monkeypatch.chdir(tmp_path)
    Path(NAME).write_text("\n".join(lines), encoding="utf-8")
    result = invoke(runner, "build", NAME, "--out", "out", "-q")  # catch_exceptions=False: a traceback fails here
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if expected is not None:
        assert result.exit_code == expected, result.output
    if result.exit_code == 2:
        lines_out = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines_out) == 1, result.stderr
        m = re.search(re.escape(NAME) + r":(\d+): ", lines_out[0])
        assert m, result.stderr
        assert 1 <= int(m.group(1)) <= len(lines)
        assert not Path("out").exists(), "a refused build wrote --out"
        assert not list(tmp_path.glob(".out.*"))
        return
    out = tmp_path / "out"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == release_files, "partial release"
    assert not list(tmp_path.glob(".out.*"))
    check = invoke(runner, "validate", out / "cnipa-kg.ttl")
    assert check.exit_code == 0, check.output
