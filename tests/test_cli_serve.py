"""`cnipa-kg serve` and `cnipa-kg publish` on the command line: options reach the library, help documents them.

`serve` would block, so these tests capture the call (as rdflib-endpoint's CLI tests do); the server
itself is tested over real HTTP in test_server.py.
"""

from __future__ import annotations

import pytest
from conftest import invoke


@pytest.fixture()
def captured_run_server(monkeypatch):
    import cnipa_kg.web.app

    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(cnipa_kg.web.app, "run_server", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


@pytest.fixture()
def captured_uvicorn(monkeypatch):
    import uvicorn

    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def _call(calls):
    assert len(calls) == 1, calls
    args, kwargs = calls[0]
    return args, kwargs


def test_serve_passes_every_option(runner, release_dir, captured_run_server):
    result = invoke(runner, "serve", "--data", release_dir, "--host", "0.0.0.0", "--port", "9123",
                    "--query-timeout", "3.5", "--workers", "3", "--base", "https://example.org/kg/")
    assert result.exit_code == 0, result.output
    args, kwargs = _call(captured_run_server)
    release = args[0] if args else kwargs["release"]
    assert str(release) == str(release_dir)
    assert kwargs["host"] == "0.0.0.0"
    assert kwargs["port"] == 9123
    assert kwargs["query_timeout"] == 3.5
    assert kwargs["workers"] == 3
    assert kwargs["base"] == "https://example.org/kg/"


def test_serve_defaults(runner, release_dir, captured_run_server):
    result = invoke(runner, "serve", "--data", release_dir)
    assert result.exit_code == 0, result.output
    _, kwargs = _call(captured_run_server)
    assert kwargs["host"] == "127.0.0.1"  # loopback unless asked otherwise
    assert kwargs["port"] == 8000
    assert kwargs["query_timeout"] == 10.0
    assert kwargs["workers"] == 2
    assert kwargs["base"] is None


def test_serve_default_data_is_dist(runner, captured_run_server):
    result = invoke(runner, "serve")
    assert result.exit_code == 0, result.output
    args, kwargs = _call(captured_run_server)
    release = args[0] if args else kwargs["release"]
    assert str(release) == "dist"


@pytest.mark.parametrize(("option", "value"), [
    ("--port", "70000"), ("--port", "x"), ("--query-timeout", "0"), ("--query-timeout", "-1"), ("--workers", "0"),
    ("--workers", "1000"),
    # issue 25: each of these ended in a traceback, answered every query 503, or let a query run for ever
    ("--query-timeout", "nan"), ("--query-timeout", "inf"), ("--query-timeout", "100000"),
    ("--max-answer-mb", "nan"), ("--max-answer-mb", "inf"), ("--max-answer-mb", "0"),
    ("--base", "notaniri"), ("--base", "http://e/a b/"), ("--base", "https://example.org/kg"), ("--base", "ftp://e/")])
def test_serve_rejects_bad_values(runner, release_dir, captured_run_server, option, value):
    result = invoke(runner, "serve", "--data", release_dir, option, value)
    assert result.exit_code == 2
    assert option in result.stderr and "Traceback" not in result.output + result.stderr
    assert captured_run_server == []


@pytest.mark.parametrize("options", [
    {"base": "notaniri"}, {"base": "http://e/a b/"}, {"query_timeout": float("nan")}, {"query_timeout": float("inf")},
    {"query_timeout": 0}, {"query_timeout": "10"}, {"workers": 0}, {"workers": 2.5}, {"max_answer_bytes": 0},
    {"max_answer_bytes": float("inf")}, {"per_client": True}, {"max_query_bytes": -1}])
def test_the_library_refuses_the_same_options(release_dir, options):
    """``create_app`` (and ``run_server``) check their options as the command line does: a BadOption, not a
    server that answers every query 503 or 400."""
    from cnipa_kg.core.errors import BadOption
    from cnipa_kg.web.app import create_app, run_server

    with pytest.raises(BadOption):
        create_app(release_dir, **options)
    with pytest.raises(BadOption):
        run_server(release_dir, port=0, **options)


def test_run_server_hands_the_app_to_uvicorn(runner, release_dir, captured_uvicorn):
    from starlette.applications import Starlette

    result = invoke(runner, "serve", "--data", release_dir, "--port", "9124", "--query-timeout", "4")
    assert result.exit_code == 0, result.output
    args, kwargs = _call(captured_uvicorn)
    app = args[0] if args else kwargs["app"]
    assert isinstance(app, Starlette)
    assert kwargs["host"] == "127.0.0.1"
    assert kwargs["port"] == 9124
    assert app.state.sparql.timeout == 4.0


def test_serve_without_a_release_is_exit_2(runner, tmp_path, captured_uvicorn):
    result = invoke(runner, "serve", "--data", tmp_path)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "build" in result.stderr
    assert captured_uvicorn == []


def test_serve_help_documents_the_routes(runner):
    result = invoke(runner, "serve", "--help")
    assert result.exit_code == 0
    text = result.output
    for word in ("/sparql", "/.well-known/void", "/eli/notice/", "/division/", "/org/", ".ttl", ".jsonld", ".nt", ".html",
                 "--data", "--host", "--port", "--query-timeout", "--base", "--workers", "127.0.0.1", "Accept",
                 "application/sparql-query"):
        assert word in text, word
    assert "curl" in text  # an example that runs


def test_publish_help(runner):
    result = invoke(runner, "publish", "--help")
    assert result.exit_code == 0
    text = result.output
    for word in ("--data", "--store", "--graph", "--retries", "PUT", "Graph Store Protocol", "CNIPA_KG_STORE_USER",
                 "CNIPA_KG_STORE_PASSWORD", "oxigraph serve", "Exit"):
        assert word in text, word


def test_top_level_help_lists_serve_and_publish(runner):
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    assert "serve" in result.output and "publish" in result.output


def test_serve_http_workers_runs_uvicorn_with_an_app_factory(runner, release_dir, monkeypatch):
    import json
    import os

    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.delenv("CNIPA_KG_SERVE_OPTIONS", raising=False)
    result = invoke(runner, "serve", "--data", release_dir, "--http-workers", "2", "--port", "8123")
    assert result.exit_code == 0, result.output
    app, kw = calls[0]
    assert app == "cnipa_kg.web.app:app_from_env" and kw["factory"] is True and kw["workers"] == 2
    options = json.loads(os.environ["CNIPA_KG_SERVE_OPTIONS"])
    assert options["release"] == str(release_dir.resolve())
    monkeypatch.delenv("CNIPA_KG_SERVE_OPTIONS")


def test_serve_missing_release_exits_2(runner, tmp_path):
    result = invoke(runner, "serve", "--data", tmp_path / "nothing", "--http-workers", "2")
    assert result.exit_code == 2
    assert "no cnipa-kg.nt here" in result.stderr
