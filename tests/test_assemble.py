"""A build made part by part (issue 8) is the graph of all its notices made at once.

The parts are minted, enriched and checked in worker processes and collected as N-Triples;
the JSON-LD is compacted batch by batch. These tests hold both against the one-graph way
(``graph_of`` and rdflib's JSON-LD writer on the whole graph) on the real notice plus seven
synthetic ones (scripts/synth_corpus.py), cut into small parts so that many parts and batches
meet.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from functools import partial

from cnipa_kg.check.shapes import shape_results, shapes_graph
from cnipa_kg.graph.assemble import assemble, of_graph, plan
from cnipa_kg.graph.assemble import graph_of
from cnipa_kg.pipeline import build, extract_all
from cnipa_kg.release.jsonld import _sorted_json, jsonld_context, release_jsonld

ROOT = Path(__file__).resolve().parents[1]
NOTICE = ROOT / "data" / "notices" / "notice-2022-33.txt"


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), "7", str(out), "--rows", "12"],
                   check=True, capture_output=True)
    return [NOTICE, *sorted(out.glob("*.txt"))]


@pytest.fixture(scope="module")
def notices(sources):
    return extract_all(sources)


@pytest.fixture(scope="module")
def whole(notices):
    return graph_of(notices)


def whole_lines(graph) -> list[bytes]:
    return sorted(set(graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)) - {b"\n"})


@pytest.mark.parametrize("per_part, workers", [(3, 0), (2, 2), (100, 0)])
def test_parts_together_are_the_graph_of_all_notices(notices, whole, per_part, workers):
    assembly = assemble(notices, per_part=per_part, workers=workers, check=partial(shape_results, shapes=shapes_graph()))
    assert assembly.lines == whole_lines(whole)
    assert len(assembly.store) == len(whole)
    assert assembly.results == []


def test_plan_takes_every_notice_once_after_the_shared_part():
    for count in (0, 1, 9, 10, 11, 95):
        parts = plan(count, 10)
        assert parts[0] == (0, 0)
        assert [i for start, stop in parts[1:] for i in range(start, stop)] == list(range(count))
        assert all(0 < stop - start <= 10 for start, stop in parts[1:])


def test_progress_counts_every_part(notices):
    seen = []
    assemble(notices, per_part=3, workers=0, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 4) for i in range(1, 5)]  # the shared part and 8 notices in 3 parts


def rdflib_whole_jsonld(graph) -> bytes:
    """The JSON-LD as rdflib writes it for the whole graph, sorted as the release sorts it."""
    context = jsonld_context()
    data = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
    nodes = sorted((_sorted_json(n) for n in data["@graph"]),
                   key=lambda n: (n.get("id", ""), json.dumps(n, sort_keys=True, ensure_ascii=False, indent=1)))
    text = json.dumps({"@context": context, "@graph": nodes}, ensure_ascii=False, indent=1, sort_keys=True)
    return (text + "\n").encode("utf-8")


@pytest.mark.parametrize("batch_size", [200, 20_000])
def test_jsonld_in_batches_is_rdflibs_jsonld_of_the_whole_graph(whole, batch_size):
    assert release_jsonld(of_graph(whole), batch_size=batch_size) == rdflib_whole_jsonld(whole)


def test_build_of_many_notices_reports_every_stage_and_counts(sources, notices, tmp_path):
    progress = []
    result = build(sources, out=tmp_path / "dist", progress=lambda *a: progress.append(a))
    rows = sum(len(a.rows) for n in notices for a in n.annexes)
    assert sum(result.designations.values()) == rows
    csv_rows = (tmp_path / "dist" / "designations.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_rows) == rows + 1
    stages = list(dict.fromkeys(stage for stage, _, _ in progress))
    assert stages == ["extracting", "making parts", "writing"]
    assert progress[len(sources) - 1] == ("extracting", len(sources), len(sources))
    assert ("making parts", 2, 2) in progress  # the shared part and 8 notices in one part
    writing = [p for p in progress if p[0] == "writing"]
    assert writing == [("writing", i, 8) for i in range(1, 9)]  # 8 files, void.ttl last


def test_a_worker_that_dies_is_a_clear_error_not_a_hang(notices, monkeypatch):
    import os

    import cnipa_kg.graph.assemble as assemble_module
    from cnipa_kg.core.errors import CnipaKgError

    original = assemble_module.part_graph

    def dying(parts, **kwargs):
        if parts and parts[0].number.text == notices[3].number.text:
            os._exit(9)  # as a worker killed by the OOM killer would
        return original(parts, **kwargs)

    monkeypatch.setattr(assemble_module, "part_graph", dying)
    with pytest.raises(CnipaKgError, match="worker process died"):
        assemble(notices, per_part=1, workers=2)
