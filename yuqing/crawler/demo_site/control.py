"""The home page and the live-mode control endpoints (/_control/state, /_control/release)."""

from __future__ import annotations

import re

from yuqing.crawler.demo_site.httpkit import Request, Response, Route, html, json_response, route
from yuqing.crawler.demo_site.state import SiteState
from yuqing.crawler.demo_site.templates import escape, page

ENTRY_POINTS = (
    ("/board/api/messages?page=1&size=20", "留言板 JSON 接口（page / offset）"),
    ("/board/api/feed", "留言板 JSON 接口（cursor）"),
    ("/forum/", "贴吧式论坛"),
    ("/weibo/api/search?q=%E9%BD%90%E9%BD%90%E5%93%88%E5%B0%94&page=1", "微博式搜索接口"),
    ("/news/rss.xml", "本地新闻 RSS"),
    ("/news/atom.xml", "本地新闻 Atom"),
    ("/news/", "本地新闻列表"),
    ("/county/", "县区新闻（GBK 编码）"),
    ("/faults/", "故障页面"),
    ("/_control/state", "演示站点状态"),
)


def home(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    rows = "\n".join(
        f'<li><a href="{escape(href)}">{label}</a></li>' for href, label in ENTRY_POINTS
    )
    body = (
        "<h1>yuqing 演示站点</h1>\n<p>本站内容全部为项目组编写的虚构帖子，仅供演示与测试。</p>\n"
        f'<ul class="entry-points">\n{rows}\n</ul>'
    )
    return html(page("yuqing 演示站点", body))


def control_state(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    return json_response(state.snapshot())


def control_release(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """Publish the next held post now; ``released`` is null when none is left."""
    item = state.release_next()
    return json_response(
        {"released": item.public() if item else None, "remaining": len(state.held)}
    )


ROUTES: list[Route] = [
    route("GET", r"/", home),
    route("GET", r"/_control/state", control_state),
    route("POST", r"/_control/release", control_release),
]
