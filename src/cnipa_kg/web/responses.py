"""Responses of the app: cacheable answers with an ETag (304 on a match), and plain errors."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response


def respond(request: Request, body: bytes, media: str, *, status: int = 200, vary: bool = True,
            extra: dict | None = None, etag: str | None = None) -> Response:
    """``body`` as ``media``; a 200 gets an ETag and ``Cache-Control: public`` (the data never changes
    while served), and a matching ``If-None-Match`` gets 304."""
    headers = {"Cache-Control": "public, max-age=3600"} if status == 200 else {"Cache-Control": "no-store"}
    if vary:
        headers["Vary"] = "Accept"
    if extra:
        headers.update(extra)
    if status == 200:
        etag = etag or '"' + hashlib.sha256(body + media.encode()).hexdigest()[:32] + '"'
        headers["ETag"] = etag
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=headers)
    if media.startswith("text/") and "charset" not in media:
        media += "; charset=utf-8"
    return Response(body, status_code=status, media_type=media, headers=headers)


def error(status: int, message: str) -> Response:
    """A plain-text error, never cached."""
    return PlainTextResponse(message + "\n", status_code=status, headers={"Cache-Control": "no-store"})


@lru_cache(maxsize=64)
def content_type(media: str) -> bytes:
    """The Content-Type header of ``media`` (text types get ``charset=utf-8``, as Starlette adds it)."""
    return (media + "; charset=utf-8" if media.startswith("text/") and "charset" not in media else media).encode("latin-1")


def etag_of(body: bytes, media: str) -> bytes:
    """The ETag :func:`respond` gives ``body`` as ``media``."""
    digest = hashlib.sha256(body)
    digest.update(media.encode())
    return b'"' + digest.hexdigest()[:32].encode() + b'"'
