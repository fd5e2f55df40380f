"""The cold path of /sparql (issue 16): a bare ASGI handler before the middleware, worker answers
read by the event loop from a socketpair, up to ``depth`` queries pipelined on one worker, and
the negotiation cached. The guarantees stay: a runaway query's worker is killed at the deadline
and the queries that were waiting behind it are withdrawn or sent again, never lost; the bare
handler still sends the security headers, CORS, ETags and HEAD as the pages do.

The pool is driven directly (``asyncio.run``) where the order of events matters, and over HTTP
(uvicorn with uvloop in a thread, as the other server tests run it) for the rest.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import json
import os
import signal
import time
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from test_server import BROWSER_ACCEPT, DATASET, running_app

from cnipa_kg.web import negotiate as negotiation
from cnipa_kg.web import sparql
from cnipa_kg.web.evaluate import Job
from cnipa_kg.web.form import parse_pairs
from cnipa_kg.web.middleware import SECURITY_HEADERS
from cnipa_kg.web.workers import QueryPool, QueryTimeout

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {nonce}"
NUMBER = "SELECT ?i WHERE {{ BIND({i} AS ?i) }}"
LOOKUP = "SELECT ?name WHERE {{ <https://w3id.org/cnipa-kg/division/{code}> skos:prefLabel ?name FILTER(lang(?name) = 'zh') }} # {nonce}"
DIVISIONS = {"110108": "海淀区", "320500": "苏州市", "440300": "深圳市", "110000": "北京市"}


def job(query: str) -> Job:
    return Job(query, ("text/csv",), base_iri="http://localhost/sparql", prefixes=sparql.QUERY_PREFIXES)


def number_of(answer) -> int:
    assert answer.status == 200, answer
    return int(answer.body.decode().split()[1])


def with_pool(release_dir, body, **options):
    """Run ``await body(pool)`` on a started pool over the release, and stop it."""

    async def main():
        pool = QueryPool([release_dir / "cnipa-kg.nt"], graph_name=DATASET, **options)
        await pool.start()
        try:
            return await body(pool)
        finally:
            await pool.stop()

    return asyncio.run(main())


# -- pipelining ----------------------------------------------------------------------------------------


def test_many_distinct_queries_pipelined_on_one_worker_are_each_answered_right(release_dir):
    async def body(pool):
        answers = await asyncio.gather(*(pool.run(job(NUMBER.format(i=i)), timeout=30, client="c") for i in range(60)))
        return [number_of(a) for a in answers], pool

    numbers, pool = with_pool(release_dir, body, size=1, per_client=100)
    assert numbers == list(range(60))
    assert pool.pipelined > 0  # several were in the worker at once
    assert pool.killed == 0


def test_queries_waiting_behind_a_runaway_are_withdrawn_and_answered(release_dir):
    """One worker: the fast queries land behind the runaway while it is young, are taken back once it
    has run ``stall`` seconds, and are answered by the worker that replaces the killed one."""

    async def body(pool):
        runaway = asyncio.ensure_future(pool.run(job(RUNAWAY.format(nonce="w")), timeout=1.5, client="a"))
        await asyncio.sleep(0)
        fast = [asyncio.ensure_future(pool.run(job(NUMBER.format(i=i)), timeout=30, client="b")) for i in range(6)]
        with pytest.raises(QueryTimeout):
            await runaway
        return [number_of(a) for a in await asyncio.gather(*fast)], pool

    numbers, pool = with_pool(release_dir, body, size=1, per_client=10)
    assert numbers == list(range(6))
    assert pool.withdrawn >= 1
    assert pool.killed == 1


def test_a_killed_workers_other_queries_are_sent_again_and_the_loop_never_blocks(release_dir):
    """No withdrawal (``stall`` very long): the queries pipelined behind the runaway are in the
    worker when it is killed at the deadline; they go to its replacement. Meanwhile the event loop
    keeps turning (the kill and the reaping do not wait on the process)."""

    async def body(pool):
        gaps, stop = [], asyncio.Event()

        async def ticker():
            last = time.monotonic()
            while not stop.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        tick = asyncio.ensure_future(ticker())
        runaway = asyncio.ensure_future(pool.run(job(RUNAWAY.format(nonce="k")), timeout=1.0, client="a"))
        await asyncio.sleep(0)
        fast = [asyncio.ensure_future(pool.run(job(NUMBER.format(i=i)), timeout=30, client="a")) for i in range(3)]
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            await runaway
        assert time.monotonic() - started < 3
        numbers = [number_of(a) for a in await asyncio.gather(*fast)]
        stop.set()
        await tick
        return numbers, max(gaps), pool

    numbers, worst_gap, pool = with_pool(release_dir, body, size=1, per_client=10, stall=1000)
    assert numbers == [0, 1, 2]
    assert pool.withdrawn == 0 and pool.requeued == 3 and pool.killed == 1
    assert worst_gap < 0.5, f"the event loop stood still for {worst_gap:.2f} s"


def test_a_worker_that_dies_answers_its_running_query_500_and_the_others_go_elsewhere(release_dir):
    async def body(pool):
        slow = asyncio.ensure_future(pool.run(job(RUNAWAY.format(nonce="d")), timeout=30, client="a"))
        await asyncio.sleep(0)
        fast = [asyncio.ensure_future(pool.run(job(NUMBER.format(i=i)), timeout=30, client="b")) for i in range(3)]
        await asyncio.sleep(0.02)
        os.kill(pool._workers[0].process.pid, signal.SIGKILL)
        died = await asyncio.wait_for(slow, 10)
        return died, [number_of(a) for a in await asyncio.wait_for(asyncio.gather(*fast), 30)]

    died, numbers = with_pool(release_dir, body, size=1, per_client=10, stall=1000)
    assert died.status == 500 and b"died" in died.body
    assert numbers == [0, 1, 2]


def test_a_client_never_gets_every_worker_with_pipelining(release_dir):
    """Two workers: one client's runaway queries stay on one of them; another client is answered."""

    async def body(pool):
        runaways = [asyncio.ensure_future(pool.run(job(RUNAWAY.format(nonce=i)), timeout=2, client="a")) for i in range(4)]
        await asyncio.sleep(0.1)
        start = time.monotonic()
        answer = await pool.run(job(NUMBER.format(i=7)), timeout=2, client="b")
        elapsed = time.monotonic() - start
        for r in runaways:
            with pytest.raises(QueryTimeout):
                await r
        return number_of(answer), elapsed

    number, elapsed = with_pool(release_dir, body, size=2, per_client=4)
    assert number == 7 and elapsed < 1


# -- over HTTP -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(release_dir):
    with running_app(release_dir, query_timeout=5, workers=1, per_client=64) as server:
        yield server


@pytest.fixture(scope="module")
def client(live):
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c


def test_concurrent_distinct_lookups_over_http_each_get_their_own_answer(live):
    """uvicorn runs with uvloop in a thread here: the worker's answers are read on that loop."""
    codes = list(DIVISIONS) * 8

    def ask(i: int) -> tuple[str, str]:
        code = codes[i]
        r = httpx.get(f"{live.url}/sparql", params={"query": LOOKUP.format(code=code, nonce=f"http-{i}")},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text
        return code, r.json()["results"]["bindings"][0]["name"]["value"]

    with cf.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(len(codes))))
    assert answers == [(code, DIVISIONS[code]) for code in codes]


def _security(r: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS:
        assert r.headers.get(name.decode()) == value.decode(), name


@pytest.mark.parametrize("origin", [None, "https://example.org"])
def test_the_bare_handler_sends_security_headers_and_cors_cached_or_not(client, origin):
    headers = {"Accept": "text/csv", **({"Origin": origin} if origin else {})}
    query = {"query": NUMBER.format(i=f"{41 if origin else 42}")}
    first, again = client.get("/sparql", params=query, headers=headers), client.get("/sparql", params=query, headers=headers)
    posted = client.post("/sparql", content=query["query"].encode(), headers={**headers, "Content-Type": "application/sparql-query"})
    refused = client.get("/sparql", params={"query": "SELEC"}, headers=headers)
    for r in (first, again, posted, refused):
        _security(r)
        assert "Origin" in r.headers["vary"]
        assert (r.headers.get("access-control-allow-origin") == "*") is bool(origin)
    assert first.status_code == again.status_code == posted.status_code == 200
    assert first.content == again.content == posted.content
    assert first.headers["vary"] == "Accept, Origin" and first.headers["etag"] == again.headers["etag"]
    assert refused.status_code == 400 and refused.headers["vary"] == "Origin"
    not_modified = client.get("/sparql", params=query, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    _security(not_modified)


def test_a_preflight_and_other_methods_still_go_through_starlette(client):
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and "POST" in r.headers["access-control-allow-methods"]
    _security(r)
    r = client.put("/sparql", content=b"x")
    assert r.status_code == 405 and set(r.headers["allow"].split(", ")) == {"GET", "POST", "HEAD"}
    _security(r)


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+json", BROWSER_ACCEPT])
def test_head_is_get_without_a_body(client, accept):
    params = {"query": NUMBER.format(i=len(accept))}
    head = client.head("/sparql", params=params, headers={"Accept": accept})
    get = client.get("/sparql", params=params, headers={"Accept": accept})
    head_again = client.head("/sparql", params=params, headers={"Accept": accept})  # from the response cache
    for r in (head, head_again):
        assert r.status_code == 200 and r.content == b""
        assert r.headers["content-length"] == str(len(get.content))
        assert r.headers["etag"] == get.headers["etag"] and r.headers["content-type"] == get.headers["content-type"]
        _security(r)
    assert client.head("/sparql", params=params, headers={"Accept": accept, "If-None-Match": get.headers["etag"]}).status_code == 304
    description = client.head("/sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and description.content == b"" and "no-store" in description.headers["cache-control"]


def test_workers_hold_no_client_socket(live, client):
    """A client is connected while we look: the worker's descriptors are its own socketpair end and
    files, never a TCP socket of the server's."""
    assert client.get("/sparql", params={"query": NUMBER.format(i=99)}).status_code == 200
    tcp_inodes = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with open(table, encoding="ascii") as f:
            tcp_inodes |= {line.split()[9] for line in list(f)[1:]}
    pids = [w.process.pid for w in live.app.state.pool._workers]
    assert pids
    for pid in pids:
        sockets = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        inodes = {link[len("socket:["):-1] for link in sockets if link.startswith("socket:[")}
        assert inodes and not inodes & tcp_inodes, f"worker {pid} holds a TCP socket of the server"


def test_without_cors_no_origin_in_vary_and_no_allow_origin(release_dir):
    from cnipa_kg.web.app import create_app

    app = create_app(release_dir, workers=1, cors=False)
    with TestClient(app) as c:
        r = c.get("/sparql", params={"query": NUMBER.format(i=5)}, headers={"Origin": "https://example.org", "Accept": "text/csv"})
        assert r.status_code == 200 and r.text.split() == ["i", "5"]
        assert r.headers["vary"] == "Accept" and "access-control-allow-origin" not in r.headers
        _security(r)
        c.portal.call(app.state.pool.stop)


# -- negotiation and parsing ---------------------------------------------------------------------------


def test_negotiation_is_cached_for_the_accept_headers_clients_repeat():
    negotiation._negotiate_cached.cache_clear()
    accept = "application/sparql-results+json, text/csv;q=0.5"
    first = negotiation.negotiate(accept, "solutions")
    before = negotiation._negotiate_cached.cache_info().hits
    assert negotiation.negotiate(accept, "solutions") == first == "application/sparql-results+json"
    assert negotiation._negotiate_cached.cache_info().hits == before + 1
    long_accept = "text/csv;q=0.1, " + ", ".join(f"application/x-{i}" for i in range(80)) + ", text/turtle"
    size = negotiation._negotiate_cached.cache_info().currsize
    assert negotiation.negotiate(long_accept, "graph") == "text/turtle"  # right, and not kept
    assert negotiation._negotiate_cached.cache_info().currsize == size
    assert sparql._plan(None, accept) == (0, "", False, ("application/sparql-results+json",))
    assert sparql._plan(None, BROWSER_ACCEPT)[2] is True  # a page, made from JSON or Turtle
    assert sparql._plan("png", None)[0] == 400 and sparql._plan(None, "image/png")[0] == 406


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab%+=&;\\ 0123456789aAfFgZ海\x00\x7f~"), max_size=40))
def test_query_strings_parse_as_parse_qsl_parses_them(text):
    assert parse_pairs(text) == parse_qsl(text, keep_blank_values=True)


def test_a_long_encoded_query_parses_as_urllib_does():
    from urllib.parse import urlencode

    query = "SELECT ?s WHERE { ?s ?p \"海\\\\n%zz\" } # " + "é" * 300
    text = urlencode({"query": query, "format": "json"})
    assert parse_pairs(text) == parse_qsl(text, keep_blank_values=True) == [("query", query), ("format", "json")]
    assert json.loads(json.dumps(parse_pairs(text)))  # plain strings


def test_an_order_by_over_a_cross_product_ends_at_the_timeout_and_cheap_queries_go_on(release_dir):
    """The Oxigraph server's own timeout does not stop this one (one core busy for minutes): ours kills it."""
    runaway = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c"
    with running_app(release_dir, query_timeout=2, workers=2, per_client=64) as server:
        # the runaway client and the ordinary one are two clients (two loopback addresses)
        with httpx.Client(base_url=server.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as c, \
                httpx.Client(base_url=server.url, timeout=30, transport=httpx.HTTPTransport(local_address="127.0.0.3")) as o, \
                cf.ThreadPoolExecutor(4) as pool:
            slow = [pool.submit(c.get, "/sparql", params={"query": runaway}) for _ in range(2)]
            time.sleep(0.3)
            cheap = [o.get("/sparql", params={"query": f"ASK {{ ?d ckg:serialNumber {i} }}"},
                           headers={"Accept": "application/sparql-results+json"}) for i in range(1, 6)]
            assert [r.status_code for r in cheap] == [200] * 5
            assert [f.result().status_code for f in slow] == [503, 503]
