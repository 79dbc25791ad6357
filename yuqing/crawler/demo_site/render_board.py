"""领导留言板-style message board: a JSON API (page, offset, cursor, POST search) + detail pages."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from yuqing.crawler.demo_site.clock import full
from yuqing.crawler.demo_site.httpkit import (
    BadRequest,
    Request,
    Response,
    Route,
    html,
    json_response,
    not_found,
    route,
    to_int,
)
from yuqing.crawler.demo_site.state import SitePost, SiteState
from yuqing.crawler.demo_site.templates import escape, page, paragraphs

MAX_SIZE = 100


def message(item: SitePost) -> dict[str, Any]:
    post = item.post
    return {
        "tid": item.id,
        "title": post["title"],
        "content": post["text"],
        "nickname": post["author"],
        "area": post["labels"]["district"],
        "createTime": item.epoch,
        "replyCount": post["replies"],
        "likeCount": post["likes"],
        "url": f"/board/message/{item.id}",
    }


def _ok(data: dict[str, Any]) -> Response:
    return json_response({"code": 0, "msg": "success", "data": data})


def _error(exc: BadRequest) -> Response:
    return json_response({"code": 400, "msg": str(exc), "data": None}, 400)


def messages(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """``?page=N&size=20`` (page from 1) or ``?offset=N&size=20``; newest first."""
    try:
        size = req.int_arg("size", 20, 1, MAX_SIZE)
        items = state.listing("board")
        if "offset" in req.query:
            offset = req.int_arg("offset", 0)
            chunk = items[offset : offset + size]
            return _ok(
                {"total": len(items), "offset": offset, "size": size, "list": chunk_json(chunk)}
            )
        page_no = req.int_arg("page", 1, 1)
    except BadRequest as exc:
        return _error(exc)
    chunk = items[(page_no - 1) * size : page_no * size]
    return _ok({"total": len(items), "page": page_no, "size": size, "list": chunk_json(chunk)})


def chunk_json(items: list[SitePost]) -> list[dict[str, Any]]:
    return [message(i) for i in items]


def search(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """POST JSON ``{"keyword": "...", "page": 1, "size": 20}``: substring match on title+content."""
    try:
        body = req.json()
        keyword = str(body.get("keyword") or "").strip()
        page_no = to_int(body.get("page"), 1, 1, 10**6, "page")
        size = to_int(body.get("size"), 20, 1, MAX_SIZE, "size")
    except BadRequest as exc:
        return _error(exc)
    items = [
        i for i in state.listing("board") if keyword in i.post["title"] or keyword in i.post["text"]
    ]
    chunk = items[(page_no - 1) * size : page_no * size]
    return _ok(
        {
            "keyword": keyword,
            "total": len(items),
            "page": page_no,
            "size": size,
            "list": chunk_json(chunk),
        }
    )


def encode_cursor(item: SitePost) -> str:
    raw = f"{item.published.timestamp():.6f}:{item.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[float, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, tid = raw.split(":")
        return float(stamp), int(tid)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("invalid cursor") from exc


def feed(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """Cursor pagination: ``?cursor=<next_cursor>&size=20``; ``next_cursor`` is null at the end."""
    try:
        size = req.int_arg("size", 20, 1, MAX_SIZE)
        cursor = req.arg("cursor")
        items = state.listing("board")
        if cursor:
            after = _decode_cursor(cursor)
            items = [i for i in items if (i.published.timestamp(), i.id) < after]
    except BadRequest as exc:
        return _error(exc)
    chunk = items[:size]
    more = len(items) > size
    next_cursor = encode_cursor(chunk[-1]) if more and chunk else None
    return _ok({"list": chunk_json(chunk), "has_more": more, "next_cursor": next_cursor})


def detail(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    item = state.get("board", int(match.group(1)))
    if item is None:
        return not_found()
    post = item.post
    area = post["labels"]["district"] or "齐齐哈尔市"
    body = (
        f'<div class="message-detail" data-tid="{item.id}">\n'
        f'<h1 class="message-title">{escape(post["title"])}</h1>\n'
        f'<div class="message-meta"><span class="nickname">{escape(post["author"])}</span> '
        f'<span class="area">{escape(area)}</span> '
        f'<span class="time">{full(item.published)}</span> '
        f'<span class="reply-count">回复 {post["replies"]}</span> '
        f'<span class="like-count">赞 {post["likes"]}</span></div>\n'
        f'<div class="message-content">\n{paragraphs(post["text"])}\n</div>\n</div>'
    )
    return html(page(f"{post['title']} - 网上留言板", body))


ROUTES: list[Route] = [
    route("GET", r"/board/api/messages", messages),
    route("POST", r"/board/api/search", search),
    route("GET", r"/board/api/feed", feed),
    route("GET", r"/board/message/(\d+)", detail),
]
