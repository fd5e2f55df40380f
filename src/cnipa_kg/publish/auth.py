"""Credentials from the environment, sent by basic auth (RFC 7617) or, when the store asks, digest auth
(RFC 7616) by :class:`httpx.DigestAuth`; see :mod:`cnipa_kg.publish` for what each scheme can carry."""

from __future__ import annotations

import base64
import os
import re
import unicodedata
from collections.abc import Generator

import httpx

from ..core.errors import InputError
from .errors import StoreRefused

_DIGEST_USER = re.compile(r'[\x20-\x7e]*')  # what httpx's DigestAuth can send as a quoted user name (no " or \\)


def _control(text: str) -> str | None:
    """The first control character of ``text``, escaped for a message, or None."""
    for c in text:
        if unicodedata.category(c) == "Cc":
            return c.encode("unicode_escape").decode("ascii")
    return None


def credentials() -> tuple[str, str] | None:
    """The user and password of the environment, checked for what every scheme forbids.

    :raises InputError: a control character (a newline …) in either
    """
    user = os.environ.get("CNIPA_KG_STORE_USER")
    if user is None:
        return None
    password = os.environ.get("CNIPA_KG_STORE_PASSWORD", "")
    for name, value in (("CNIPA_KG_STORE_USER", user), ("CNIPA_KG_STORE_PASSWORD", password)):
        if (c := _control(value)) is not None:
            raise InputError(name, None, f"has a control character ({c}): no HTTP authentication scheme can send it")
    return user, password


class StoreAuth(httpx.Auth):
    """Basic auth (as ``curl -u``), or digest auth (:class:`httpx.DigestAuth`) when the store asks for it: a ``HEAD``
    before the first upload learns which, so the body is sent once."""

    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.digest: httpx.DigestAuth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.digest is not None:  # learnt on an earlier attempt (it answers a stale nonce itself)
            yield from self._digest_flow(request, None)
            return
        basic = ":" not in self.user  # RFC 7617: a user-id has no colon
        headers = {}
        if basic:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        # a HEAD first learns the scheme without sending the body to be refused: a store that wants digest
        # (Virtuoso) answers a large upload's first 64 KiB with 401 and resets the connection, which may
        # lose the answer
        response = yield httpx.Request("HEAD", request.url, headers=headers)
        challenges = response.headers.get_list("WWW-Authenticate") if response.status_code == 401 else []
        if response.status_code == 401 and not any(_is_digest(c) for c in challenges):
            response = yield httpx.Request("HEAD", request.url)  # Virtuoso answers a basic attempt without one
            challenges = response.headers.get_list("WWW-Authenticate") if response.status_code == 401 else []
        if not any(_is_digest(c) for c in challenges):
            request.headers.update(headers)
            response = yield request
            if response.status_code != 401:
                return
            challenges = response.headers.get_list("WWW-Authenticate")
        if not any(_is_digest(c) for c in challenges):
            if not basic and any(c.strip().lower().startswith("basic") for c in challenges):
                raise InputError("CNIPA_KG_STORE_USER", None, "has a colon, which basic authentication (RFC 7617) "
                                                              "cannot send, and the store asks for basic")
            return  # the 401 stands
        if not _DIGEST_USER.fullmatch(self.user) or '"' in self.user or "\\" in self.user:
            raise InputError("CNIPA_KG_STORE_USER", None,
                             "the store asks for digest authentication, which (as httpx sends it) carries only a user "
                             "name of printable ASCII without quotes or backslashes: use such a user name, or a "
                             "store with basic authentication over https")
        request.headers.pop("Authorization", None)
        self.digest = httpx.DigestAuth(self.user, self.password)
        if response.request.method == "HEAD":  # the credentials tried on a HEAD: a refusal costs no upload
            probe = httpx.Request("HEAD", request.url)
            answer = yield from self._digest_flow(probe, response, last=True)
            if answer is not None and answer.status_code == 401:
                return  # refused: the HEAD's 401 is the answer
            yield from self._digest_flow(request, None)
            return
        yield from self._digest_flow(request, response)

    def _digest_flow(self, request: httpx.Request, challenge: httpx.Response | None, *, last: bool = False):
        """httpx's digest flow; with ``challenge``, that 401 (or HEAD answer) is the one it answers. With ``last``,
        the answer to the one request it sends is returned (not answered again)."""
        flow = self.digest.auth_flow(request)
        response = None
        try:
            sent = next(flow)
            response = challenge if challenge is not None else (yield sent)
            while True:
                sent = flow.send(response)
                response = yield sent
                if last:
                    return response
        except StopIteration:
            return response
        except (httpx.ProtocolError, ValueError, KeyError, NotImplementedError) as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            raise StoreRefused(f"the store's digest challenge cannot be answered ({detail[:200]})") from None


def _is_digest(challenge: str) -> bool:
    return challenge.strip().lower().startswith("digest")


class Unauthenticated(httpx.Auth):
    """No credentials: a ``HEAD`` first, so that a store that wants them says so (401) before the body is sent
    (Virtuoso answers an upload's first 64 KiB with 401 and resets the connection, which can lose its answer)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield httpx.Request("HEAD", request.url)
        if response.status_code != 401:
            yield request
