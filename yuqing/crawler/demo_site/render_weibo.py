"""Weibo-style search API (m.weibo.cn shape): ``/weibo/api/search?q=<keyword>&page=N``.

``created_at`` is a Chinese relative string (刚刚, 5分钟前, 今天 10:21, 昨天 10:21,
11月20日 18:03, 2025-11-20); ``text`` is HTML (topics as links, line breaks as <br />), as on
the real site. Past the last page the API answers ``{"ok": 0, "msg": "这里还没有内容"}``.
"""

from __future__ import annotations

import re
from typing import Any

from yuqing.crawler.demo_site.clock import full, weibo_time
from yuqing.crawler.demo_site.httpkit import (
    BadRequest,
    Request,
    Response,
    Route,
    html,
    json_response,
    not_found,
    route,
)
from yuqing.crawler.demo_site.state import SitePost, SiteState
from yuqing.crawler.demo_site.templates import escape, page, paragraphs

PAGE_SIZE = 10
_TOPIC = re.compile(r"#([^#\s]{1,30})#")
_SOURCES = ("iPhone客户端", "Android", "HUAWEI Mate 60", "微博 weibo.com", "小米手机", "vivo X100")


def weibo_html(text: str) -> str:
    """Escape the text, link #topics# and turn newlines into <br />."""
    escaped = escape(text, quote=False)
    linked = _TOPIC.sub(
        lambda m: (
            f'<a href="/weibo/search?q=%23{m.group(1)}%23"><span class="surl-text">'
            f"#{m.group(1)}#</span></a>"
        ),
        escaped,
    )
    return linked.replace("\n", "<br />")


def mblog(item: SitePost, base_url: str, now: Any) -> dict[str, Any]:
    post = item.post
    mid = str(4_900_000_000_000_000 + item.id)
    return {
        "id": mid,
        "mid": mid,
        "created_at": weibo_time(item.published, now),
        "text": weibo_html(post["text"]),
        "source": _SOURCES[item.seed("src") % len(_SOURCES)],
        "reposts_count": post["reposts"],
        "comments_count": post["replies"],
        "attitudes_count": post["likes"],
        "region_name": "发布于 黑龙江",
        "user": {
            "id": 5_000_000_000 + item.seed(post["author"]) % 1_000_000_000,
            "screen_name": post["author"],
            "verified": post["author"].endswith(("发布", "融媒", "日报")),
        },
    }


def search(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    try:
        page_no = req.int_arg("page", 1, 1)
    except BadRequest as exc:
        return json_response({"ok": 0, "msg": str(exc)}, 400)
    keyword = req.arg("q").strip()
    items = [i for i in state.listing("weibo") if keyword in i.post["text"]]
    chunk = items[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
    if not chunk:
        return json_response({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}})
    now = state.now()
    cards = [
        {
            "card_type": 9,
            "scheme": f"{req.base_url}/weibo/detail/{4_900_000_000_000_000 + i.id}",
            "mblog": mblog(i, req.base_url, now),
        }
        for i in chunk
    ]
    info = {"page": page_no, "page_size": PAGE_SIZE, "total": len(items)}
    return json_response({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}})


def detail(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    item = state.get("weibo", int(match.group(1)) - 4_900_000_000_000_000)
    if item is None:
        return not_found()
    post = item.post
    body = (
        f'<div class="weibo-detail" data-mid="{match.group(1)}">\n'
        f'<div class="weibo-user">{escape(post["author"])}</div>\n'
        f'<div class="weibo-time">{full(item.published)}</div>\n'
        f'<div class="weibo-text">{paragraphs(post["text"])}</div>\n'
        f'<div class="weibo-counts">转发 {post["reposts"]} 评论 {post["replies"]} '
        f"赞 {post['likes']}</div>\n</div>"
    )
    return html(page("微博正文", body))


ROUTES: list[Route] = [
    route("GET", r"/weibo/api/search", search),
    route("GET", r"/weibo/detail/(\d+)", detail),
]
