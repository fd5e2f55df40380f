"""Command line: parses arguments and calls the library. Nothing else lives here.

Exit codes (one place, :class:`_Group`): 0 ok; 1 shapes violated / inconsistent;
2 bad input, bad query, missing Java, or a usage error.

It is over 300 lines because each command carries its options and its ``--help`` text with
examples (click's way); no logic lives here.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from .core.errors import CnipaKgError
from .core.formats import INPUT_FORMATS, QUERY_OUTPUTS, REPORT_FORMATS
from .core.version import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
DEFAULT_BASE = "https://w3id.org/cnipa-kg/"  # = core.vocab.DEFAULT_BASE (not imported: keeps --help fast)
DEFAULT_RELEASE = Path("dist")


class _Group(click.Group):
    """Turns the library's errors into one line on stderr and an exit code; never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CnipaKgError as exc:
            click.echo(f"Error: {exc}" if exc.exit_code == 2 else str(exc), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing written.", err=True)
            ctx.exit(130)


def _base_option(f):
    return click.option("--base", default=DEFAULT_BASE, show_default=True, metavar="IRI",
                        help="Base IRI of minted resources (the ontology namespace stays fixed).")(f)


PANEL_YEARS = (1981, 2026)  #: the years --panel-years and --years accept (research.units: the division history's)


def _years(value: str | None, hint: str = "--panel-years") -> tuple[int, int] | None:
    if value is None:
        return None
    first, sep, last = value.partition("-")
    if not (sep and first.isdigit() and last.isdigit() and len(first) == len(last) == 4 and int(first) <= int(last)):
        raise click.BadParameter(f"{value!r}: expected FIRST-LAST, e.g. 2018-2025", param_hint=hint)
    if not (PANEL_YEARS[0] <= int(first) and int(last) <= PANEL_YEARS[1]):
        raise click.BadParameter(f"{value!r}: years must lie in {PANEL_YEARS[0]}-{PANEL_YEARS[1]}", param_hint=hint)
    return int(first), int(last)


class _ProgressBars:
    """One progress bar per stage of a build, on stderr."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(length=total, label=f"{stage:<13}", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(version=__version__, prog_name="cnipa-kg")
def cli() -> None:
    """cnipa-kg: China's national IP-strong-city designations as linked data.

    Build the knowledge graph from CNIPA notices, check it with SHACL shapes, query it
    with SPARQL. Start with `cnipa-kg build`, then `cnipa-kg query --list`.
    """


@cli.command()
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_RELEASE, show_default=True,
              help="Release directory: new, empty, or a release (replaced atomically, other files in it kept; "
                   "untouched if the build fails; a symbolic link to one: the folder it points to is replaced). "
                   "Refused: a file, FIFO, device or socket, a folder that is not a release, the current "
                   "directory and its parents.")
@_base_option
@click.option("--panel-years", metavar="FIRST-LAST", callback=lambda _c, _p, v: _years(v),
              help="Years of the release's panels (panel-prefecture.csv, panel-county.csv), within 1981-2026, "
                   "e.g. 2018-2025 (default: five years before the first term to the last year a term covers).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def build(sources: tuple[Path, ...], out: Path, base: str, panel_years: tuple[int, int] | None, quiet: bool) -> None:
    """Extract, mint, enrich, validate and write the release.

    SOURCES are notice text files (UTF-8 or GB18030); by default the notices shipped with
    the package. Writes cnipa-kg.ttl, cnipa-kg.nt, cnipa-kg.jsonld (the graph with the
    ontology), designations.csv (+ CSVW metadata), the prefecture and county panels (CSV + CSVW +
    codebook) and void.ttl.

    Exit 0 ok, 1 the graph violates the shapes, 2 bad input (nothing written either way).
    With more than three notices and stderr a terminal, a progress bar per stage goes to stderr.

    \b
    Example:
        cnipa-kg build                                 # the shipped notice -> dist/
        cnipa-kg build notices/*.txt --out release/ --base https://example.org/kg/
    """
    from .core.iris import check_base
    from .pipeline import build as run_build

    try:
        check_base(base)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None
    progress = _ProgressBars() if len(sources) > 3 and sys.stderr.isatty() and not quiet else None
    try:
        result = run_build(list(sources) or None, out=out, base=base, progress=progress, panel_years=panel_years)
    finally:
        if progress:
            progress.close()
    if not quiet:
        click.echo(result.summary())
        data = "" if Path(out).resolve() == DEFAULT_RELEASE.resolve() else f" --data {out}"  # query reads dist/ by default
        click.echo(
            "\nNext:\n"
            f"  cnipa-kg query --list                       # the named queries\n"
            f"  cnipa-kg query designations-by-province{data}     # run one over {out}/\n"
            f"  cnipa-kg panel --data {out} --level county --out county.dta   # a research panel for Stata\n"
            f"  cnipa-kg query completeness{data}                 # what of the known batches the release holds, and lacks\n"
            f"  cnipa-kg validate {out}/cnipa-kg.ttl           # SHACL + QC report\n"
            f"  cnipa-kg serve --data {out}                    # pages, map, search, SPARQL at http://127.0.0.1:8000/\n"
            f"  cnipa-kg site --data {out} --out site          # the same pages as a static site"
        )


@cli.command()
@click.argument("query", required=False)
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path),
              help="RDF file(s) or release folder(s) to query (repeatable; a folder means its cnipa-kg.nt). "
                   "Default: dist/cnipa-kg.nt, or the shipped notices built in memory.")
@click.option("--format", "fmt", type=click.Choice(QUERY_OUTPUTS),
              default="table", show_default=True,
              help="table for people; csv/tsv/json/xml are the W3C results formats; ttl/nt/jsonld/xml for CONSTRUCT/DESCRIBE.")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for a parameter the query declares (repeatable); --list shows each named query's.")
@click.option("--on", metavar="DATE", help="Same as --param on=DATE (YYYY-MM-DD), e.g. the date of status.")
@click.option("--list", "list_", is_flag=True, help="List the named queries with their parameters and exit.")
@click.option("--allow-service", is_flag=True,
              help="Run a query that uses SERVICE (federated query: it fetches from the endpoint it names). "
                   "Without it such a query is refused, as the server refuses it.")
def query(query: str | None, data: tuple[Path, ...], fmt: str, params: tuple[str, ...], on: str | None,
          list_: bool, allow_service: bool) -> None:
    """Run a SPARQL query over the release with pyoxigraph.

    QUERY is the name of a query in queries/ (see --list), a .rq file, or the query
    text itself. The prefixes ckg:, eli:, org:, skos:, dcterms:, prov: … are predeclared.
    A query's header may declare parameters (`# param: province (string, default 江苏) — …`,
    types string, date, integer, iri); --param binds them. An undeclared or malformed
    parameter, or a required one missing, exits 2. A query that uses SERVICE exits 2
    unless --allow-service; one nested over 64 levels deep (brackets and ! operators) or
    chaining over 500 patterns and operators exits 2 (pyoxigraph's parser would crash).

    \b
    Example:
        cnipa-kg query --list
        cnipa-kg query designations-by-province --format csv
        cnipa-kg query designations-of-province --param province=广东
        cnipa-kg query status --on 2026-11-28
        cnipa-kg query 'SELECT ?name WHERE { ?d ckg:designee/skos:prefLabel ?name }'
    """
    from .query.named import describe_named, query_with_parameters
    from .query.results import query as run_query
    from .query.store import load_store

    if list_:
        click.echo(describe_named())
        return
    if not query:
        raise click.UsageError("give a QUERY (name, file or text), or --list")
    text = query_with_parameters(query, [*params, *([f"on={on}"] if on is not None else [])])
    paths = list(data)
    if not paths and (DEFAULT_RELEASE / "cnipa-kg.nt").is_file():
        paths = [DEFAULT_RELEASE / "cnipa-kg.nt"]
    if paths:
        db = load_store(paths)
    else:
        from .pipeline import shipped_store

        click.echo("note: no dist/ release here; building the shipped notices in memory", err=True)
        db = shipped_store()
    sys.stdout.buffer.write(run_query(db, text, format=fmt, allow_service=allow_service))
    sys.stdout.flush()


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True,
              help="Report format: text for people, ttl = the SHACL validation report graph, json.")
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)),
              help="Format of FILES (default: by file suffix).")
@click.option("--no-qc", is_flag=True, help="Skip the QC queries (queries/qc/*-violation.rq).")
def validate(files: tuple[Path, ...], fmt: str, input_format: str | None, no_qc: bool) -> None:
    """Check RDF files against the SHACL shapes and the QC queries.

    FILES default to dist/cnipa-kg.ttl. The ontology is added before checking. The report
    lists, for each problem, the focus node (with its zh label), the path, the rule and
    the message, then a summary line.

    Exit 0 conforms, 1 violations, 2 cannot load (missing, unreadable, unparseable, or a
    JSON-LD file with a remote @context: nothing is ever fetched).

    \b
    Example:
        cnipa-kg validate dist/cnipa-kg.ttl
        cnipa-kg validate edited.jsonld --format json
    """
    from .check.validate import check_files

    paths = list(files) or [DEFAULT_RELEASE / "cnipa-kg.ttl"]
    report = check_files(paths, input_format=input_format, qc=not no_qc)
    if fmt == "ttl":
        sys.stdout.buffer.write(report.graph.serialize(format="turtle", encoding="utf-8"))
    elif fmt == "json":
        click.echo(report.as_json(), nl=False)
    else:
        click.echo(report.text, nl=False)
    sys.exit(0 if report.conforms else 1)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the input plus the inferred memberships (Turtle; .nt or .jsonld by suffix): "
                   "a new path or a regular file, replaced atomically. Refused before reasoning: a symbolic "
                   "link, a FIFO, a device, a socket.")
@click.option("--input-format", type=click.Choice(list(INPUT_FORMATS)),
              help="Format of FILE (default: by file suffix).")
def reason(file: Path, out: Path, input_format: str | None) -> None:
    """Check consistency with the OWL reasoner HermiT, then materialise the defined classes.

    Adds `rdf:type ckg:DemonstrationCity` / `ckg:PilotCity` for every division the reasoner
    classifies so (a division that is the designee of a designation of that level).
    Needs Java ≥ 11.

    Exit 0 consistent, 1 inconsistent (the individuals and axioms involved are named),
    2 cannot load FILE, cannot write --out (or it is not a regular file), or no Java; 143
    stopped by SIGTERM (temporary files removed, HermiT stopped, nothing written).

    \b
    Example:
        cnipa-kg reason dist/cnipa-kg.ttl --out dist/cnipa-kg-inferred.ttl
    """
    from .check.reason import Terminated
    from .check.reason import reason as run_reason
    from .check.validate import load_with_ontology
    from .release.rdf import check_file_out, write_graph_file

    check_file_out(out)  # before the reasoner's minutes; again when writing
    try:
        result = run_reason(load_with_ontology([file], input_format=input_format))
    except Terminated:
        click.echo("Terminated; nothing written.", err=True)
        raise
    write_graph_file(result.graph, out)
    click.echo(f"{result.summary()}\nWrote {out}")


def _vintage(_ctx, _param, value: str) -> str | int:
    if value == "designated" or (value.isdigit() and len(value) == 4):
        return value if value == "designated" else int(value)
    raise click.BadParameter(f"{value!r}: expected designated or a year, e.g. 2025", param_hint="--vintage")


@cli.command()
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_RELEASE, show_default=True,
              help="Release directory written by `cnipa-kg build` (its designations.csv is read).")
@click.option("--level", type=click.Choice(["prefecture", "county"]), default="prefecture", show_default=True,
              help="Unit level: prefecture-level units, or county-level units (市辖区, 县, 县级市, 旗 …).")
@click.option("--years", metavar="FIRST-LAST", callback=lambda _c, _p, v: _years(v, "--years"),
              help="Years of the panel, e.g. 2007-2025 (default: five years before the first term to the last "
                   "year a term covers; the division history covers 1981-2026).")
@click.option("--vintage", default="designated", show_default=True, callback=_vintage, metavar="designated|YEAR",
              help="designated: the units as they were each year; YEAR: every year mapped onto that year's units "
                   "(a balanced panel; merges and splits flagged, never summed).")
@click.option("--municipalities", type=click.Choice(["as-cities", "as-districts"]),
              help="北京, 天津, 上海, 重庆 as one unit each, or their districts as units (default: as-cities for "
                   "prefecture, as-districts for county).")
@click.option("--active", type=click.Choice(["any-day", "mid-year", "whole-year"]), default="any-day", show_default=True,
              help="When a term makes a unit-year active: it covers a day of the year, 1 July, or the whole year.")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet", "dta", "codebook", "csvw"]),
              help="csv (UTF-8), parquet, dta (Stata 118, with variable and value labels), codebook (Markdown), "
                   "csvw (CSV on the Web metadata). Default: by the suffix of --out (.csv .parquet .dta .md .json), else csv.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (a new path or a regular file, replaced atomically); default: standard output "
                   "(csv, codebook, csvw only).")
def panel(data: Path, level: str, years, vintage, municipalities: str | None, active: str, fmt: str | None,
          out: Path | None) -> None:
    """A unit-year panel of the designations for difference-in-differences (csdid, did, pyfixest).

    Every unit of the level in each year, treated and never treated; per programme × tier in the data:
    active_*, exposed_* (absorbing), first_year_* (0 = never), cohort_*, sub_designated_*,
    parent_designated_*, evidence_*. The codebook (--format codebook) says every rule.
    parquet and dta need pandas and pyarrow: pip install 'cnipa-kg[panel]'.

    \b
    Examples:
        cnipa-kg panel --level county --out county.dta
        cnipa-kg panel --vintage 2025 --out prefecture-2025.parquet
        cnipa-kg panel --format codebook | less
    """
    from .pipeline import research_panel, write_panel
    from .research.formats import BINARY, format_for

    fmt = format_for(out, fmt)
    if out is None and fmt in BINARY:
        raise click.BadParameter(f"--format {fmt} is binary: give --out FILE", param_hint="--out")
    result = research_panel(level, years=years, vintage=vintage, municipalities=municipalities, active=active, data=data)
    written = write_panel(result, fmt, out)
    if out is None:
        sys.stdout.buffer.write(written)
    click.echo(f"{'Wrote ' + str(out) + ': ' if out else ''}{len(result.rows):,} rows ({result.options.level} units × years "
               f"{result.options.years[0]}-{result.options.years[1]}, vintage {result.vintage_label}), "
               f"{len(result.columns)} columns" + (f"; {len(result.unplaced)} designation(s) no unit holds: see the codebook"
                                                    if result.unplaced else ""), err=True)


def _finite(_ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A number must be finite (Click's FloatRange lets nan through, and inf where it has no maximum)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", param=param)
    return value


def _base_iri(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--base`` of ``serve``: checked as ``build`` checks it."""
    from .core.iris import check_base

    try:
        return None if value is None else check_base(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


@cli.command()
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_RELEASE, show_default=True,
              help="Release directory written by `cnipa-kg build`.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--query-timeout", type=click.FloatRange(min=0.1, max=86400), callback=_finite, default=10.0,
              show_default=True, metavar="S",
              help="Seconds after which a SPARQL query is stopped (its worker process is killed); at most a day.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query worker processes (per HTTP process).")
@click.option("--http-workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="HTTP server processes; more than one serves cached answers on several cores.")
@click.option("--base", default=None, metavar="IRI", callback=_base_iri,
              help="Base IRI where the server is deployed (e.g. https://example.org/kg/); paths under it map to the release's IRIs.")
@click.option("--max-answer-mb", type=click.FloatRange(min=0.001, max=65536), callback=_finite, default=64.0,
              show_default=True, metavar="MB", help="Largest SPARQL answer in MiB; a larger one is stopped and answered 422.")
@click.option("--per-client", type=click.IntRange(1, 1000), default=4, show_default=True,
              help="Queries one client (IP address) may have waiting or running; more are answered 429.")
@click.option("--behind-proxy", is_flag=True,
              help="A reverse proxy on this host forwards to the server: trust its X-Forwarded-For and "
                   "X-Forwarded-Proto from 127.0.0.1 (otherwise they are ignored).")
def serve(data: Path, host: str, port: int, query_timeout: float, workers: int, http_workers: int,
          base: str | None, max_answer_mb: float, per_client: int, behind_proxy: bool) -> None:
    """Serve the release: SPARQL 1.1 Protocol endpoint and linked-data pages.

    \b
    /                  home page: counts, map, every designation (filter, sort), downloads
    /sparql            SPARQL endpoint (GET, POST form, POST application/sparql-query);
                       a query editor for browsers (the query in the URL, downloads)
    /search?q=         search by Chinese name, pinyin, English name or code
    /def               the ontology, one anchor per term (/def#Designation)
    /dataset           the dataset (VoID); /.well-known/void the same as Turtle
    /eli/notice/…, /division/…, /org/…   every minted IRI, as HTML, Turtle, JSON-LD or
                       N-Triples by Accept or by a .html/.ttl/.jsonld/.nt suffix;
                       ?on=YYYY-MM-DD shows the status of designations on that day

    \b
    Example:
        cnipa-kg build && cnipa-kg serve --port 8000
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE {?s ?p ?o} LIMIT 3' localhost:8000/sparql
    """
    from .web.app import run_server

    run_server(data, host=host, port=port, query_timeout=query_timeout, base=base, workers=workers,
               http_workers=http_workers, max_answer_bytes=int(max_answer_mb * 2**20), per_client=per_client,
               behind_proxy=behind_proxy)


@cli.command()
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_RELEASE, show_default=True,
              help="Release directory written by `cnipa-kg build`.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
              help="Site folder: new, empty, or a site written before (replaced atomically; other files in it, "
                   "e.g. a CNAME, kept). Refused: a file, FIFO, device or socket, a folder that is not a site, "
                   "the release folder.")
@click.option("--sparql", metavar="URL", help="A SPARQL endpoint serving the same data, linked from every page.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def site(data: Path, out: Path, sparql: str | None, quiet: bool) -> None:
    """Write the linked-data site as static files, for any web host or CDN.

    Per resource: PATH.html (its page), PATH.ttl, PATH.jsonld, PATH.nt; plus index.html,
    search.html and search-index.json (search in the browser), def.html (the ontology),
    .well-known/void, the downloads under dist/, assets/ (style, scripts, map), and
    .htaccess (Apache) and nginx.conf: content negotiation for IRIs without a suffix.
    Links are relative: the folder works at any path of a host, and opened from disk.

    \b
    Example:
        cnipa-kg build && cnipa-kg site --out site
        python -m http.server --directory site 8080    # then open http://localhost:8080/
    """
    from .sitegen.writer import write_site

    progress = _ProgressBars() if sys.stderr.isatty() and not quiet else None
    try:
        result = write_site(data, out, sparql=sparql, progress=progress)
    finally:
        if progress:
            progress.close()
    if not quiet:
        click.echo(result.summary())
        data = "" if Path(out).resolve() == DEFAULT_RELEASE.resolve() else f" --data {out}"  # query reads dist/ by default
        click.echo(f"\nNext:\n  python -m http.server --directory {out} 8080   # browse it at http://localhost:8080/")


@cli.command()
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), default=DEFAULT_RELEASE, show_default=True,
              help="Release directory written by `cnipa-kg build`.")
@click.option("--store", required=True, metavar="URL",
              help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
                   "http://localhost:3030/ds/data (Fuseki).")
@click.option("--graph", metavar="IRI", help="Named graph to replace (default: {base}dataset of the release).")
@click.option("--default-graph", is_flag=True,
              help="Replace the store's default graph instead of a named graph (for clients that query "
                   "the default graph, e.g. SPARQLWrapper without FROM).")
@click.option("--retries", type=click.IntRange(1, 20), default=5, show_default=True,
              help="Attempts on connection errors, with exponential backoff.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), callback=_finite, default=60.0,
              show_default=True, metavar="S",
              help="Seconds one attempt may take, sending included (a store that trickles bytes is cut off); "
                   "the whole publish takes at most twice that.")
def publish(data: Path, store: str, graph: str | None, default_graph: bool, retries: int, timeout: float) -> None:
    """Load the release into a triple store (SPARQL 1.1 Graph Store Protocol, HTTP PUT).

    PUT replaces the named graph (or, with --default-graph, the default graph): publishing
    twice leaves one copy. Queries see a named graph with FROM <graph> or GRAPH <graph> {...};
    Oxigraph's default graph holds it only under `oxigraph serve --union-default-graph`,
    Fuseki's only with tdb2:unionDefaultGraph, Virtuoso's always. "Published" is said only
    for a 2xx answer read to its end after the whole upload was taken; an early, cut-off,
    trickled or redirected answer is an error. Credentials (basic, or digest when the store
    asks, as Virtuoso does) are read from the environment variables CNIPA_KG_STORE_USER and
    CNIPA_KG_STORE_PASSWORD.

    Exit 0 published, 1 the store refused or misbehaved (an HTTP error, a redirect, an answer
    before the upload was taken), 2 no answer in time, a bad option or credentials, or no
    release.

    \b
    Example:
        oxigraph serve --location /tmp/ox --bind 127.0.0.1:7878 &
        cnipa-kg publish --store http://127.0.0.1:7878/store
    """
    from .publish import publish as run_publish
    from .publish import query_hint

    result = run_publish(data, store=store, graph=graph, default_graph=default_graph, retries=retries, timeout=timeout)
    where = "the default graph" if result.graph is None else f"<{result.graph}>"
    click.echo(f"Published {result.triples:,} triples ({result.bytes_sent:,} B) to {where} "
               f"at {store}: HTTP {result.status} after {result.attempts} attempt(s)")
    click.echo(query_hint(result.graph), err=True)


def main() -> None:
    cli(prog_name="cnipa-kg")


if __name__ == "__main__":  # pragma: no cover
    main()
