"""DemoSite: the bundled local site that the demo and the tests crawl (stdlib HTTP server)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from yuqing.crawler.demo_site import (
    control,
    faults,
    render_board,
    render_county,
    render_forum,
    render_news,
    render_weibo,
)
from yuqing.crawler.demo_site.clock import Clock, system_now
from yuqing.crawler.demo_site.content import Post, load_posts
from yuqing.crawler.demo_site.httpkit import Request, Response, Route, html, not_found
from yuqing.crawler.demo_site.scale import scale_posts
from yuqing.crawler.demo_site.state import SiteOptions, SiteState

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
ROUTES: list[Route] = [
    *control.ROUTES,
    *render_board.ROUTES,
    *render_forum.ROUTES,
    *render_weibo.ROUTES,
    *render_news.ROUTES,
    *render_county.ROUTES,
    *faults.ROUTES,
]


def dispatch(state: SiteState, req: Request) -> Response:
    allowed = False
    for r in ROUTES:
        match = r.pattern.match(req.path)
        if match is None:
            continue
        if r.method != req.method:
            allowed = True
            continue
        return r.handler(state, req, match)
    if allowed:
        return html("<h1>405 Method Not Allowed</h1>", 405)
    return not_found()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    site: DemoSite


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "yuqing-demo/0.1"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        site = self.server.site
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
        req = Request(
            "GET" if method == "HEAD" else method,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            body,
            site.base_url,
        )
        site.state.requests.admit(f"{method} {self.path}")
        try:
            resp = dispatch(site.state, req)
        except Exception:
            logger.exception("demo site: error serving %s %s", method, self.path)
            resp = html("<h1>500 Internal Server Error</h1>", 500)
        self._send(resp, head_only=method == "HEAD")

    def _send(self, resp: Response, head_only: bool) -> None:
        self.send_response(resp.status)
        if resp.content_type:
            self.send_header("Content-Type", resp.content_type)
        for name, value in resp.headers:
            self.send_header(name, value)
        body = resp.body
        if isinstance(body, bytes | bytearray):
            self.send_header("Content-Length", str(len(body)))
        elif resp.length is not None:
            self.send_header("Content-Length", str(resp.length))
        self.send_header("Connection", "close")
        self.end_headers()
        if head_only:
            return
        try:
            if isinstance(body, bytes | bytearray):
                self.wfile.write(body)
            else:
                self._stream(body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("demo site: client closed the connection during %s", self.path)

    def _stream(self, chunks: Iterable[bytes]) -> None:
        for chunk in chunks:
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo site %s - %s", self.address_string(), format % args)


class DemoSite:
    """The demo site. ``start()`` serves in a background thread; ``serve_forever()`` blocks.

    ``now`` is the site's clock (a callable returning a datetime; default: the system clock in
    Beijing time). ``scale=N`` serves N posts made by varying the written ones (benchmarks).
    ``live=True`` holds back the posts flagged ``held`` and releases one every
    ``release_interval`` seconds (and on ``POST /_control/release``).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        live: bool = False,
        release_interval: float = 30.0,
        scale: int | None = None,
        now: Clock | None = None,
        huge_bytes: int = 50 * 1024 * 1024,
        posts: list[Post] | None = None,
    ) -> None:
        if release_interval <= 0:
            raise ValueError("release_interval must be positive")
        self.host, self.port = host, port
        base = load_posts() if posts is None else posts
        if scale is not None:
            base = scale_posts(base, scale)
        options = SiteOptions(live=live, release_interval=release_interval, huge_bytes=huge_bytes)
        self.state = SiteState(base, now or system_now, options)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._releaser: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the demo site is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    def _bind(self) -> _Server:
        if self._server is None:
            server = _Server((self.host, self.port), _Handler)
            server.site = self
            self._server = server
            if self.state.options.live:
                self._releaser = threading.Thread(
                    target=self._release_loop, name="demo-site-release", daemon=True
                )
                self._releaser.start()
            logger.info(
                "demo site listening on %s (live=%s)", self.base_url, self.state.options.live
            )
        return self._server

    def start(self) -> None:
        """Serve in a daemon thread; returns once the socket is bound (see ``base_url``)."""
        if self._thread is not None:
            return
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="demo-site",
            daemon=True,
        )
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            logger.info("demo site interrupted")
        finally:
            self._stopping.set()
            server.server_close()

    def stop(self) -> None:
        self._stopping.set()
        self.state.requests.release()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        if self._server is not None:
            self._server.server_close()
            self._server = None
        if self._releaser is not None:
            self._releaser.join(timeout=5)
        self._thread = self._releaser = None

    def release_next(self) -> dict[str, Any] | None:
        """Release the next held post now (as ``POST /_control/release`` does)."""
        item = self.state.release_next()
        if item is not None:
            logger.info("demo site released post %d (%s)", item.id, item.channel)
        return item.public() if item else None

    def _release_loop(self) -> None:
        interval = self.state.options.release_interval
        while self.state.held:
            self.state.next_release_at = self.state.now() + timedelta(seconds=interval)
            if self._stopping.wait(interval):
                break
            self.release_next()
        self.state.next_release_at = None

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
