"""The purpose-built pages of the server (issue 17), on the real notice: the home page's table and
map, the notice's annex tables in serial order, a division's status on a date, a province's
designated divisions (once each), the ontology anchors at /def, the dataset and its partitions,
search (page, JSON, index), Wikidata links; and, on a release of the synthetic programme corpus,
the pages of a park, a public notice and an upgraded district."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from test_server import BASE, BROWSER_ACCEPT, running_app

from cnipa_kg.pipeline import build
from cnipa_kg.web.search import fold, search

HTML = {"Accept": BROWSER_ACCEPT}
NOTICE = "/eli/notice/gzfyz/2022/33"


class Rows(HTMLParser):
    """The text of each row of the tables of a page, per table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables, self.cell, self.row = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.tables:
            self.tables[-1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    p = Rows()
    p.feed(html)
    return p.tables


@pytest.fixture(scope="module")
def client(release_dir):
    with running_app(release_dir, workers=1) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_notice_page_prints_the_annexes_as_tables_in_serial_order(client):
    r = client.get(NOTICE, headers=HTML)
    assert r.status_code == 200
    annexes = [t for t in tables(r.text) if t and t[0] and t[0][0].startswith("序号")]
    assert [len(t) - 1 for t in annexes] == [38, 72]
    for t in annexes:
        assert [row[0] for row in t[1:]] == [str(i) for i in range(1, len(t))]
    first = annexes[0][1]
    assert first[1] == "北京市" and first[2].startswith("海淀区") and "110108" in first
    assert "国知发运字〔2022〕33号" in r.text and "国家知识产权局" in r.text
    for cited in ("/policy/ip-power-outline-2021-2035", "/eli/notice/gzbhyz/2021/1197"):
        assert f'href="{cited}"' in r.text
    assert len(re.findall(r'<a href="/division/\d{6}" class="pt', r.text)) >= 100  # the map's points


@pytest.mark.parametrize("on, status", [("2022-06-30", "尚未开始"), ("2023-01-01", "进行中"), ("2025-06-30", "进行中"),
                                        ("2025-07-01", "已结束")])
def test_division_says_its_status_on_a_date(client, on, status):
    r = client.get("/division/110108", params={"on": on}, headers=HTML)
    assert r.status_code == 200
    badge = re.search(r'<span class="status status-(\w+)"[^>]*>([^<]+)', r.text)
    assert badge and badge.group(2).strip() == status
    assert "2022-07-01 – 2025-06-30" in r.text
    assert "示范" in r.text and "110108" in r.text


def test_division_page_says_plainly_when_the_period_ended(client):
    text = client.get("/division/110108", params={"on": "2026-01-01"}, headers=HTML).text
    assert "时限已于 2025-06-30 结束" in text and "the period ended on 2025-06-30" in text


def test_a_bad_date_is_400(client):
    assert client.get("/division/110108", params={"on": "2026-13-01"}, headers=HTML).status_code == 400


def test_province_lists_its_designated_divisions_once(client):
    r = client.get("/division/320000", headers=HTML)  # 江苏省
    assert r.status_code == 200
    section = r.text.split("本省被认定的地方", 1)[1].split("</table>", 1)[0]
    names = re.findall(r'<a href="(/division/\d{6})">', section)
    assert names and len(names) == len(set(names))


def test_designation_page_states_what_when_and_where_from(client):
    r = client.get(f"{NOTICE}/annex/1/1", headers=HTML)
    assert r.status_code == 200
    for text in ("海淀区", "2022-07-01 – 2025-06-30", "第1号", 'href="/division/110108"', f'href="{NOTICE}"',
                 "原文"):
        assert text in r.text, text


def test_incoming_links_heading_says_links_to_here(client):
    text = client.get("/division/110000", headers=HTML).text
    assert "指向此处的链接 · Links to here" in text and "Linked from here" not in text


def test_def_has_an_anchor_per_term_and_turtle_has_the_ontology(client):
    r = client.get("/def", headers=HTML)
    assert r.status_code == 200
    for term in ("Designation", "designee", "tier", "AdministrativeDivision"):
        assert f'id="{term}"' in r.text
    ttl = client.get("/def", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and "ckg:designee" in ttl.text and "ckg:Designation" in ttl.text


@pytest.mark.parametrize("path", ["/dataset", "/org/cnipa-kg-maintainers", "/dist/docs/index.html"])
def test_dataset_publisher_and_docs_dereference(client, path):
    r = client.get(path, headers=HTML)
    assert r.status_code == 200, path


def test_partitions_dereference_from_the_void(client):
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).text
    partitions = sorted(set(re.findall(re.escape(BASE) + r"(dataset/(?:class|property)/[0-9a-f]{12})", void)))
    assert len(partitions) > 10
    for p in partitions[:5]:
        assert client.get(f"/{p}", headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get(f"/{p}", headers=HTML).status_code == 200
    browser = client.get("/.well-known/void", headers=HTML)
    assert browser.status_code == 303 and browser.headers["location"] == "/dataset"


@pytest.mark.parametrize("query", ["海淀", "haidian", "Hǎidiàn", "hai3dian4", "Haidian District", "110108"])
def test_search_finds_a_division_by_any_name_or_code(client, query):
    r = client.get("/search", params={"q": query, "format": "json"})
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits and hits[0]["iri"] == f"{BASE}division/110108", (query, hits[:3])
    page = client.get("/search", params={"q": query}, headers=HTML)
    assert 'href="/division/110108"' in page.text


def test_search_index_is_served_and_searched_the_same_way(client):
    entries = client.get("/search-index.json").json()
    assert any(e[0] == "division/110108" for e in entries)
    assert search(entries, "xian")[0]["zh"].startswith("西安")  # Xī'ān
    assert fold("Lǚ Xī'ān") == "luxian"


def test_divisions_link_to_wikidata(client):
    text = client.get("/division/110000", headers=HTML).text
    assert 'href="http://www.wikidata.org/entity/Q956"' in text


@pytest.fixture(scope="module")
def programme(tmp_path_factory):
    from synthetic.programme import write_corpus

    folder = tmp_path_factory.mktemp("face")
    build([Path("data/notices/notice-2022-33.txt").resolve(), *write_corpus(folder / "sources")], out=folder / "dist")
    with running_app(folder / "dist", workers=1) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_upgraded_district_shows_both_designations_in_order(programme):
    text = programme.get("/division/110106", params={"on": "2024-06-01"}, headers=HTML).text  # 丰台区
    timeline = text.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert timeline.index("2022-07-01") < timeline.index("2024-01-01")
    assert re.findall(r'status-(\w+)"', timeline) == ["active", "active"]


def test_park_and_public_notice_pages(programme):
    park = programme.get("/park/110000/zhong-guan-cun-ke-ji-yuan-qu", headers=HTML)
    assert park.status_code == 200 and "中关村科技园区" in park.text and 'href="/division/110000"' in park.text
    home = programme.get("/", headers=HTML).text
    proposal = re.search(r'href="(/proposal/[^"]+)"', home)
    assert proposal
    page = programme.get(proposal.group(1), headers=HTML).text
    assert "公示" in page and "拟认定" in page


def test_dataset_page_shows_the_void_description(client):
    text = client.get("/dataset", headers=HTML).text
    assert "<h1>国家知识产权强市建设试点示范城市知识图谱</h1>" in text
    assert 'href="/dist/designations.csv">designations.csv</a>' in text
    assert "ckg:Designation</a></td><td>110</td>" in text
    assert "owl:sameAs" in text and 'href="http://www.wikidata.org/"' in text


def test_a_damaged_void_leaves_the_data_served(release_dir, tmp_path):
    import shutil

    copy = tmp_path / "dist"
    shutil.copytree(release_dir, copy)
    with (copy / "void.ttl").open("a", encoding="utf-8") as f:
        f.write("@prefix x: <broken")
    with running_app(copy, workers=1) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        assert c.get("/dataset", headers=HTML).status_code == 404
        assert c.get("/division/110108", headers=HTML).status_code == 200


def test_every_minted_iri_dereferences(client, release_dir):
    """Every IRI under the base in the data and in void.ttl (distributions whose names end in .ttl or
    .html included: an IRI is itself before it is a format suffix of another) answers 200."""
    import pyoxigraph as ox

    found = set(re.findall(r"<(" + re.escape(BASE) + r"[^>]*)>", (release_dir / "cnipa-kg.nt").read_text("utf-8")))
    for t in ox.parse(path=str(release_dir / "void.ttl"), format=ox.RdfFormat.TURTLE):
        found |= {term.value for term in (t.subject, t.object)
                  if isinstance(term, ox.NamedNode) and term.value.startswith(BASE)}
    paths = sorted({"/" + iri[len(BASE):].split("#")[0] for iri in found})
    assert len(paths) > 700
    bad = [(p, code) for p in paths if (code := client.get(p, headers=HTML).status_code) != 200]
    assert bad == []
    ttl = client.get("/dataset/distribution/cnipa-kg.ttl", headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and "dcat:Distribution" in ttl.text


def test_a_notice_page_links_the_copy_it_was_read_from(tmp_path):
    """A document read from a copy on the web (its sidecar's url) links that copy, with what the sidecar says of it;
    the 2022 notice, which has no recorded address, shows none (no address is invented)."""
    from starlette.testclient import TestClient

    from cnipa_kg.web.app import create_app

    build(out=tmp_path / "dist")  # the shipped sources, with their sidecars
    with TestClient(create_app(tmp_path / "dist", workers=1)) as client:
        page = client.get("/eli/notice/gzfbz/2024/4").text
        plain = client.get("/eli/notice/gzfyz/2022/33").text
    assert '<a href="https://news.fznews.com.cn/fzxw/20240130/7toMBs9069.shtml">' in page
    assert "Copy read" in page and "a repost" in page
    assert "Copy read" not in plain
