"""What a publish that did not succeed raises (besides :class:`~cnipa_kg.core.errors.InputError`)."""

from __future__ import annotations

from ..core.errors import CnipaKgError


class StoreUnreachable(CnipaKgError):
    """The store did not answer (after retries), or its answers were not HTTP."""


class StoreRefused(CnipaKgError):
    """The store answered with an error status, a redirect, or an answer that is not a success although
    its status says so (a 2xx before the upload was complete)."""

    exit_code = 1
