"""Exceptions of cnipa-kg.

Every error a user can cause is a :class:`CnipaKgError` with a message a person
can act on. The command line maps them to exit codes in one place
(``cli.py``): input, Java and query errors exit 2; violated shapes and an
inconsistent ontology exit 1.
"""

from __future__ import annotations

from pathlib import Path


class CnipaKgError(Exception):
    """Base class: an error with a message meant for the user."""

    exit_code = 2


class InputError(CnipaKgError):
    """A source or data file that cannot be read, decoded or understood.

    >>> str(InputError("notice.txt", 12, "serial 14 follows 12"))
    'notice.txt:12: serial 14 follows 12'
    >>> str(InputError("notice.txt", None, "empty file"))
    'notice.txt: empty file'
    """

    MAX_MESSAGE = 400  # one line a person can read, whatever the input

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        message = " ".join(message.split("\n"))
        if len(message) > self.MAX_MESSAGE:
            message = message[: self.MAX_MESSAGE - 1] + "…"
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class BadOption(CnipaKgError):
    """An option out of its range, or one that needs a package not installed (a usage error: exit 2)."""


class BadQuery(CnipaKgError):
    """A SPARQL query that does not parse or cannot run."""


class ShapesViolated(CnipaKgError):
    """The graph does not conform to the SHACL shapes or QC queries."""

    exit_code = 1

    def __init__(self, report) -> None:  # report: validate.ValidationReport
        self.report = report
        super().__init__(report.text)


class Inconsistent(CnipaKgError):
    """The reasoner found the ontology and data inconsistent."""

    exit_code = 1


class JavaNotFound(CnipaKgError):
    """The OWL reasoner (HermiT) needs a Java runtime that is not installed."""
