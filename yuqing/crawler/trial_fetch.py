"""Pages for ``yuqing sources try`` over HTTP: a plain, blocking client (one page at a time)
that sends what the crawl sends (the project's User-Agent, the source's headers and proxy,
a JSON body for POST APIs) and obeys robots.txt as the crawl does (Scrapy's robots.txt
parser, when the source's ``obey_robots`` is on). Each answer becomes the Scrapy response
class the crawl would get (HtmlResponse, JsonResponse, XmlResponse ...)."""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import load_object

from yuqing.config.sources import AnySource

log = logging.getLogger(__name__)


class _NoRedirectLoop(urllib.request.HTTPRedirectHandler):
    max_redirections = 5


class Fetcher:
    def __init__(self, spider: Any) -> None:
        self.spider = spider
        self.settings = spider.crawler.settings
        self.user_agent = str(self.settings.get("USER_AGENT"))
        self.robots: dict[str, Any] = {}

    def _opener(self, source: AnySource) -> urllib.request.OpenerDirector:
        handlers: list[Any] = [_NoRedirectLoop()]
        proxy = source.proxy or (os.environ.get(source.proxy_env) if source.proxy_env else None)
        handlers.append(
            urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})
        )
        return urllib.request.build_opener(*handlers)

    def _get(self, request: Request, source: AnySource) -> tuple[int, str, dict[str, str], bytes]:
        headers = {"User-Agent": self.user_agent}
        headers.update(source.headers)
        for name, values in request.headers.items():
            headers[name.decode("latin-1")] = values[-1].decode("latin-1")
        data = request.body if request.method == "POST" else None
        req = urllib.request.Request(request.url, data=data, headers=headers, method=request.method)
        timeout = max(1.0, source.download_timeout.total_seconds())
        try:
            with self._opener(source).open(req, timeout=timeout) as answer:
                return answer.status, answer.url, dict(answer.headers.items()), answer.read()
        except urllib.error.HTTPError as exc:
            return exc.code, request.url, dict(exc.headers.items()), exc.read()

    def allowed(self, request: Request, source: AnySource) -> bool:
        if not source.obey_robots:
            return True
        parts = urlsplit(request.url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self.robots.get(origin)
        if parser is None:
            try:
                status, _, _, body = self._get(Request(f"{origin}/robots.txt"), source)
            except (OSError, ValueError):
                status, body = 0, b""
            if status != 200:
                body = b""  # no robots.txt: everything is allowed, as in a crawl
            cls = load_object(self.settings.get("ROBOTSTXT_PARSER"))
            parser = self.robots[origin] = cls.from_crawler(self.spider.crawler, body)
        agent = self.settings.get("ROBOTSTXT_USER_AGENT") or self.user_agent
        return bool(parser.allowed(request.url, agent))

    def fetch(self, request: Request, source: AnySource) -> Response:
        """The page, or a response with status 0 whose meta says why it was not fetched."""
        if not self.allowed(request, source):
            return _failed(request, "page:robots", "forbidden by robots.txt")
        try:
            status, url, headers, body = self._get(request, source)
        except (OSError, ValueError) as exc:
            reason = "page:timeout" if "timed out" in str(exc) else "page:connection"
            return _failed(request, reason, f"{type(exc).__name__}: {exc}")
        cls = responsetypes.from_args(headers=headers, url=url, body=body)  # type: ignore[arg-type]
        return cls(url=url, status=status, headers=headers, body=body, request=request)


def _failed(request: Request, reason: str, message: str) -> Response:
    request.meta["reason"], request.meta["message"] = reason, message
    return Response(url=request.url, status=0, request=request)
