"""Local news: RSS 2.0 (/news/rss.xml), Atom (/news/atom.xml), an HTML list and article pages."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape as xml_escape

from yuqing.crawler.demo_site.clock import full, iso, rfc822
from yuqing.crawler.demo_site.httpkit import (
    BadRequest,
    Request,
    Response,
    Route,
    html,
    not_found,
    route,
)
from yuqing.crawler.demo_site.state import SitePost, SiteState
from yuqing.crawler.demo_site.templates import escape, page, paragraphs

FEED_TITLE = "鹤城新闻网 - 本地新闻"
FEED_LIMIT = 50
LIST_SIZE = 20


def _summary(text: str) -> str:
    flat = "".join(text.split())
    return flat if len(flat) <= 100 else flat[:100] + "……"


def _limit(req: Request) -> int:
    try:
        return req.int_arg("limit", FEED_LIMIT, 1, 10_000)
    except BadRequest:
        return FEED_LIMIT


def _link(req: Request, item: SitePost) -> str:
    return f"{req.base_url}/news/article/{item.id}.html"


def rss(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    items = state.listing("news")[: _limit(req)]
    entries = []
    for item in items:
        post = item.post
        entries.append(
            "<item>\n"
            f"  <title>{xml_escape(post['title'])}</title>\n"
            f"  <link>{_link(req, item)}</link>\n"
            f"  <description>{xml_escape(_summary(post['text']))}</description>\n"
            f"  <author>{xml_escape(post['author'])}</author>\n"
            f'  <guid isPermaLink="true">{_link(req, item)}</guid>\n'
            f"  <pubDate>{rfc822(item.published)}</pubDate>\n"
            "</item>"
        )
    last = rfc822(items[0].published) if items else rfc822(state.now())
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{FEED_TITLE}</title>\n<link>{req.base_url}/news/</link>\n"
        "<description>齐齐哈尔本地新闻（演示站点，内容为虚构）</description>\n<language>zh-cn</language>\n"
        f"<lastBuildDate>{last}</lastBuildDate>\n" + "\n".join(entries) + "\n</channel>\n</rss>\n"
    )
    return Response(200, xml.encode("utf-8"), "application/rss+xml; charset=utf-8")


def atom(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    items = state.listing("news")[: _limit(req)]
    entries = []
    for item in items:
        post = item.post
        entries.append(
            "<entry>\n"
            f"  <title>{xml_escape(post['title'])}</title>\n"
            f'  <link rel="alternate" type="text/html" href="{_link(req, item)}"/>\n'
            f"  <id>tag:demo.yuqing,2024:news-{item.id}</id>\n"
            f"  <published>{iso(item.published)}</published>\n"
            f"  <updated>{iso(item.published)}</updated>\n"
            f"  <author><name>{xml_escape(post['author'])}</name></author>\n"
            f"  <summary>{xml_escape(_summary(post['text']))}</summary>\n"
            "</entry>"
        )
    updated = iso(items[0].published) if items else iso(state.now())
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"<title>{FEED_TITLE}</title>\n<id>tag:demo.yuqing,2024:news</id>\n"
        f'<link rel="self" href="{req.base_url}/news/atom.xml"/>\n<updated>{updated}</updated>\n'
        + "\n".join(entries)
        + "\n</feed>\n"
    )
    return Response(200, xml.encode("utf-8"), "application/atom+xml; charset=utf-8")


def news_list(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    try:
        pn = req.int_arg("page", 1, 1)
    except BadRequest:
        pn = 1
    items = state.listing("news")
    chunk = items[(pn - 1) * LIST_SIZE : pn * LIST_SIZE]
    if not chunk and pn > 1:
        return not_found()
    rows = "\n".join(
        f'<li class="news-item"><a href="/news/article/{i.id}.html">{escape(i.post["title"])}</a>'
        f' <span class="date">{full(i.published)}</span></li>'
        for i in chunk
    )
    more = len(items) > pn * LIST_SIZE
    nxt = f'<a class="next-page" href="/news/?page={pn + 1}">下一页</a>' if more else ""
    body = (
        f'<h1>本地新闻</h1>\n<ul class="news-list">\n{rows}\n</ul>\n<div class="pager">{nxt}</div>'
    )
    return html(page(FEED_TITLE, body))


def article(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    item = state.get("news", int(match.group(1)))
    if item is None:
        return not_found()
    post = item.post
    head = (
        f'<meta charset="utf-8">\n<meta property="og:title" content="{escape(post["title"])}">\n'
        f'<meta property="article:published_time" content="{iso(item.published)}">\n'
    )
    body = (
        f'<div class="article" data-id="{item.id}">\n'
        f'<h1 class="article-title">{escape(post["title"])}</h1>\n'
        f'<div class="article-meta"><span class="source">来源：{escape(post["author"])}</span> '
        f'<span class="pub-time">{full(item.published)}</span></div>\n'
        f'<div class="article-content">\n{paragraphs(post["text"])}\n</div>\n'
        '<div class="editor">责任编辑：鹤城新闻网</div>\n</div>'
    )
    return html(page(f"{post['title']}_{FEED_TITLE}", body, head=head))


ROUTES: list[Route] = [
    route("GET", r"/news/rss\.xml", rss),
    route("GET", r"/news/atom\.xml", atom),
    route("GET", r"/news/?", news_list),
    route("GET", r"/news/article/(\d+)\.html", article),
]
