"""OWL reasoning with owlready2 and HermiT: consistency, then the defined classes materialised.

HermiT runs in Java (≥ 11). Dates (``xsd:date``) are not an OWL 2 datatype, so HermiT runs
with ``--ignoreUnsupportedDatatypes``; the SHACL shapes check dates instead.

A division ``owl:sameAs`` its Wikidata entity is one individual with it, so HermiT puts the
entity in the same defined classes; the memberships are written for the division only (the
entity's follow from ``owl:sameAs``), and the counts are of divisions.

When HermiT finds the ontology and data inconsistent it does not say why, so
:func:`explain_inconsistency` looks for the usual causes itself (a functional data property
with two values, a literal outside its property's range, an individual in two disjoint
classes) and names the individuals and axioms involved.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from ..core.errors import Inconsistent, JavaNotFound
from ..core.vocab import CKG, curie

#: the defined classes the reasoner materialises: one per programme and tier
DEFINED_CLASSES = (CKG.DemonstrationCity, CKG.PilotCity, CKG.DemonstrationCounty, CKG.PilotCounty, CKG.DemonstrationPark,
                   CKG.PilotPark, CKG.ProtectionDemonstrationZone)


@dataclass(frozen=True)
class ReasonResult:
    graph: Graph = field(repr=False)  #: input + materialised memberships of the defined classes
    inferred: dict[str, int]  #: defined class (CURIE) -> number of members inferred

    def summary(self) -> str:
        return "Consistent. Inferred " + (", ".join(f"{n} × {c}" for c, n in self.inferred.items() if n) or "no memberships")


def find_java() -> str:
    java = os.environ.get("JAVA_HOME") and shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin"))
    java = java or shutil.which("java")
    if not java:
        raise JavaNotFound("the OWL reasoner HermiT needs Java (≥ 11), and no `java` is on PATH: "
                           "install a JRE (Debian: apt-get install default-jre-headless; `make test` does it)")
    return java


class Terminated(SystemExit):
    """SIGTERM arrived while the reasoner ran: raised from the signal handler so that the temporary
    directory is removed and HermiT killed on the way out; exits 143 (128 + SIGTERM) like the signal."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


@contextmanager
def _terminate_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` (in the main thread, unless SIGTERM is ignored)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) == signal.SIG_IGN:
        yield
        return

    def terminate(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second SIGTERM must not cut the cleanup short
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _tempdir(path: str) -> Iterator[None]:
    """owlready2 writes its own temporary copy of the world for HermiT (and keeps it when HermiT fails):
    have it write into ``path``, which is removed whatever happens."""
    previous = tempfile.tempdir
    tempfile.tempdir = path
    try:
        yield
    finally:
        tempfile.tempdir = previous


def reason(graph: Graph) -> ReasonResult:
    """Check consistency with HermiT and add ``rdf:type`` triples for the defined classes.

    :param graph: data and ontology (the release is self-contained)
    :raises JavaNotFound: no Java runtime
    :raises Inconsistent: HermiT finds the graph inconsistent (message names the culprits)
    :raises Terminated: SIGTERM arrived meanwhile (the temporary files are gone, HermiT is killed)
    """
    import owlready2

    owlready2.JAVA_EXE = find_java()
    world = owlready2.World()
    with _terminate_raises(), tempfile.TemporaryDirectory(prefix="cnipa-kg-reason-") as tmp, _tempdir(tmp):
        path = os.path.join(tmp, "graph.nt")
        graph.serialize(destination=path, format="nt", encoding="utf-8")
        world.get_ontology("file://" + path).load(format="ntriples")
        try:
            # HermiT runs in a child process (subprocess.run), which kills it when an exception (such as
            # Terminated) interrupts the wait
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise Inconsistent("Inconsistent: HermiT finds the ontology and data contradictory.\n" + explain_inconsistency(graph)) from None
        except owlready2.OwlReadyJavaError as exc:
            raise JavaNotFound(f"HermiT could not run: {str(exc).strip().splitlines()[-1][:300]}") from None
    out = Graph()
    out += graph
    inferred = {}
    aliases = {str(o) for o in graph.objects(None, OWL.sameAs)}  # Wikidata entities of the divisions
    for cls_iri in DEFINED_CLASSES:
        cls = world[str(cls_iri)]
        members = sorted(ind.iri for ind in cls.instances() if ind.iri not in aliases) if cls is not None else []
        for iri in members:
            out.add((URIRef(iri), RDF.type, cls_iri))
        inferred[curie(cls_iri)] = len(members)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return ReasonResult(graph=out, inferred=inferred)


_XSD_CHECKS = {
    XSD.integer: lambda lit: lit.datatype == XSD.integer and isinstance(lit.value, int),
    XSD.string: lambda lit: lit.datatype in (None, XSD.string) and lit.language is None,
    XSD.date: lambda lit: lit.datatype == XSD.date and lit.value is not None and not isinstance(lit.value, str),
    RDF.langString: lambda lit: lit.language is not None,
}


def explain_inconsistency(graph: Graph) -> str:
    """Name the individuals and axioms behind an inconsistency, as far as they can be found."""
    lines = []
    for prop in sorted(graph.subjects(RDF.type, OWL.FunctionalProperty)):
        if (prop, RDF.type, OWL.DatatypeProperty) not in graph:
            continue
        for s in sorted(set(graph.subjects(prop, None))):
            values = sorted(set(graph.objects(s, prop)))
            if len(values) > 1:
                lines.append(f"  individual <{s}>: FunctionalDataProperty({curie(prop)}) but it has {len(values)} values: "
                             + ", ".join(v.n3() for v in values))
    for prop, rng in sorted(graph.subject_objects(RDFS.range)):
        check = _XSD_CHECKS.get(rng)
        if check is None or (prop, RDF.type, OWL.DatatypeProperty) not in graph:
            continue
        for s, o in sorted(graph.subject_objects(prop)):
            if isinstance(o, Literal) and not check(o):
                lines.append(f"  individual <{s}>: DataPropertyRange({curie(prop)} {curie(rng)}) but its value is {o.n3()}")
    for a, b in sorted(graph.subject_objects(OWL.disjointWith)):
        for s in sorted(set(graph.subjects(RDF.type, a)) & set(graph.subjects(RDF.type, b))):
            lines.append(f"  individual <{s}>: DisjointClasses({curie(a)} {curie(b)}) but it is in both")
    if not lines:
        lines.append("  (no single axiom found to blame; check class memberships and property ranges)")
    return "\n".join(lines)
