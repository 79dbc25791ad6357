"""Request/response values and routing shared by the demo site's pages."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from yuqing.crawler.demo_site.state import SiteState


class BadRequest(Exception):
    """A malformed query or body: answered with HTTP 400."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes
    base_url: str

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, default)

    def int_arg(self, name: str, default: int, low: int = 0, high: int = 10**9) -> int:
        raw = self.query.get(name)
        return to_int(raw, default, low, high, name)

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"body is not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise BadRequest("body must be a JSON object")
        return value


def to_int(raw: object, default: int, low: int, high: int, name: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    length: int | None = None
    """Content-Length of a streamed body; None with an iterable body means none is sent."""


def html(text: str, status: int = 200, charset: str = "utf-8") -> Response:
    return Response(
        status, text.encode(charset, "xmlcharrefreplace"), f"text/html; charset={charset}"
    )


def json_response(value: object, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return Response(status, body, "application/json; charset=utf-8")


def text(
    value: str, status: int = 200, content_type: str = "text/plain; charset=utf-8"
) -> Response:
    return Response(status, value.encode("utf-8"), content_type)


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", None, [("Location", location)])


def not_found() -> Response:
    return html(
        "<html><head><title>404</title></head><body><h1>404 页面不存在</h1></body></html>", 404
    )


Handler = Callable[["SiteState", Request, re.Match[str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler


def route(method: str, pattern: str, handler: Handler) -> Route:
    return Route(method, re.compile(pattern + r"\Z"), handler)
