"""ASGI middleware of the app: security headers on every response, and a response cache for
repeated GETs (the data never changes while it is served). CORS is Starlette's own
``CORSMiddleware`` (added in :mod:`.app`). ``/sparql`` runs before this stack and applies the
same headers, CORS options and cache itself (:mod:`.sparql`)."""

from __future__ import annotations

from datetime import date

from .cache import LRU

#: the pages' Content-Security-Policy; the static site's pages carry it in a <meta> (frame-ancestors cannot be there)
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", (PAGE_CSP + "; frame-ancestors 'none'").encode()),
    (b"referrer-policy", b"no-referrer"),
]
#: Starlette ``CORSMiddleware`` options: any origin, no credentials
CORS_OPTIONS = {"allow_origins": ["*"], "allow_methods": ["GET", "POST"], "allow_headers": ["Accept", "Content-Type"],
                "max_age": 86400}


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response that does not set them itself."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def wrapped(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in SECURITY_HEADERS if h[0] not in names]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, wrapped)


class ResponseCache:
    """GET answers reused byte for byte.

    The key is the path, the raw query string, the Accept header, the Host header, the mount
    point, the scheme and today's date (a page without ``?on=`` shows the status of designations today); only complete 200 answers below 1 MiB that may be stored (no ``no-store``) are kept, up to
    ``max_bytes`` in all (``store``: an LRU shared with ``/sparql``, which keeps its answers there itself). ``If-None-Match`` is honoured on hits. This keeps repeated lookups off the
    router and the event loop's slower paths.
    """

    def __init__(self, app, *, size: int = 4096, max_body: int = 1 << 20, max_bytes: int = 64 << 20,
                 store: LRU | None = None) -> None:
        self.app = app
        self.store = store if store is not None else LRU(size, max_bytes=max_bytes, max_item=max_body + (64 << 10))
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = (scope["path"], scope["query_string"], headers.get(b"accept", b""), headers.get(b"host", b""),
               scope.get("root_path", ""), scope["method"], date.today(),  # pages show statuses on today's date
               scope.get("scheme", "http"))
        hit = self.store.get(key)
        if hit is not None:
            status_headers, body, etag = hit
            if etag and etag in [t.strip() for t in headers.get(b"if-none-match", b"").split(b",")]:
                kept = [(k, v) for k, v in status_headers if k in (b"etag", b"cache-control", b"vary", b"content-location")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({"type": "http.response.start", "status": 200, "headers": status_headers})
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict = {"status": None, "headers": [], "body": [], "size": 0, "ok": True}

        async def capture(message):
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["size"] += len(message.get("body", b""))
                if captured["size"] <= self.max_body:
                    captured["body"].append(message.get("body", b""))
                else:
                    captured["ok"] = False
            await send(message)

        await self.app(scope, receive, capture)
        stored = dict(captured["headers"])
        if captured["status"] == 200 and captured["ok"] and b"no-store" not in stored.get(b"cache-control", b""):
            etag = stored.get(b"etag")
            self.store.put(key, (captured["headers"], b"".join(captured["body"]), etag))
