"""What every request goes through: the static files from memory, the browser session from the
cookie, the session cookie when it changed, the security headers and ``Cache-Control``.

A plain ASGI middleware (issue 15): Starlette's ``@app.middleware("http")`` runs each request
through extra tasks and memory streams, a cost every page and every static file paid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yuqing.app.web.assets import PREFIX, Assets, not_modified
from yuqing.app.web.security import SECURITY_HEADERS
from yuqing.app.web.sessions import SESSION_COOKIE, BrowserSession

if TYPE_CHECKING:
    from yuqing.app.web.render import Web

_SECURITY = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
_NOT_MODIFIED = (b"etag",)  # of the asset's headers, the ones a 304 repeats (as StaticFiles)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _session_cookie(scope: Scope) -> str | None:
    """The session cookie, parsed as ``request.cookies`` parses it."""
    raw = _header(scope, b"cookie")
    return cookie_parser(raw).get(SESSION_COOKIE) if raw else None


def over_tls(web: Web, scope: Scope) -> bool:
    """Served over TLS: base_url is https://, uvicorn itself serves TLS, or (only with
    ``--behind-proxy``) the proxy says so in X-Forwarded-Proto."""
    if web.secure_cookies or scope.get("scheme") == "https":
        return True
    if web.behind_proxy:
        proto = (_header(scope, b"x-forwarded-proto") or "").split(",")[0].strip().lower()
        return proto == "https"
    return False


class WebMiddleware:
    """Serves known static files itself; for everything else loads ``request.state.session``
    and finishes the response (cookie, headers) as it starts."""

    def __init__(self, app: ASGIApp, web: Web, assets: Assets, max_age_s: int) -> None:
        self.app = app
        self.web = web
        self.assets = assets
        self.max_age_s = max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        static = path.startswith(PREFIX)
        if static and await self._asset(scope, send):
            return
        state = scope.setdefault("state", {})
        state["session"] = self.web.codec.load(_session_cookie(scope))
        state["user"] = None
        stateless = path == "/healthz" or static

        async def finish(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                session = state["session"]
                if session.dirty and not stateless:
                    headers.append("set-cookie", self._set_cookie(scope, session))
                for name, value in _SECURITY:
                    if name.decode() not in headers:
                        headers.raw.append((name, value))
                if not static and "cache-control" not in headers:
                    headers.raw.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, finish)

    def _set_cookie(self, scope: Scope, session: BrowserSession) -> str:
        response = Response()
        response.set_cookie(
            SESSION_COOKIE,
            self.web.codec.dump(session),
            max_age=self.max_age_s,
            path="/",
            httponly=True,
            samesite="lax",
            secure=over_tls(self.web, scope),
        )
        return response.headers["set-cookie"]

    async def _asset(self, scope: Scope, send: Send) -> bool:
        """Answer a GET/HEAD of a known file (not a range request); False to pass it on."""
        if scope["method"] not in ("GET", "HEAD") or _header(scope, b"range") is not None:
            return False
        asset = self.assets.get(scope["path"])
        if asset is None:
            return False
        if not_modified(
            asset, _header(scope, b"if-none-match"), _header(scope, b"if-modified-since")
        ):
            headers = [h for h in asset.headers if h[0] in _NOT_MODIFIED]
            status, body = 304, b""
        else:
            headers, status = list(asset.headers), 200
            body = b"" if scope["method"] == "HEAD" else asset.body
        await send(
            {"type": "http.response.start", "status": status, "headers": headers + _SECURITY}
        )
        await send({"type": "http.response.body", "body": body})
        return True
