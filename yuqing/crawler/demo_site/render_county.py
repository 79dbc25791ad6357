"""County news site served as GBK bytes, like many Chinese government CMS sites.

``/county/`` and ``/county/index_N.html`` declare ``<meta charset="gbk">`` (the HTTP header has
no charset). Articles ``/county/article/<id>.html`` declare it in a meta tag, except a post
flagged ``charset:header`` (declared only in the HTTP header) and one flagged ``charset:none``
(declared nowhere: spiders must detect it).
"""

from __future__ import annotations

import re

from yuqing.crawler.demo_site.clock import full
from yuqing.crawler.demo_site.httpkit import Request, Response, Route, not_found, route
from yuqing.crawler.demo_site.state import SiteState
from yuqing.crawler.demo_site.templates import escape, page, paragraphs

ENCODING = "gbk"
PAGE_SIZE = 20
SITE_NAME = "县区融媒体新闻网"


def _gbk(markup: str, content_type: str = "text/html") -> Response:
    return Response(200, markup.encode(ENCODING, "xmlcharrefreplace"), content_type)


def county_list(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    pn = int(match.group(1) or 1)
    items = state.listing("county")
    pages = max(1, -(-len(items) // PAGE_SIZE))
    if pn < 1 or pn > pages:
        return not_found()
    chunk = items[(pn - 1) * PAGE_SIZE : pn * PAGE_SIZE]
    rows = "\n".join(
        f'<li><a href="/county/article/{i.id}.html" title="{escape(i.post["title"])}">'
        f'{escape(i.post["title"])}</a><span class="date">{i.published:%Y-%m-%d}</span></li>'
        for i in chunk
    )
    links = []
    if pn > 1:
        prev = "/county/" if pn == 2 else f"/county/index_{pn - 1}.html"
        links.append(f'<a class="prev" href="{prev}">上一页</a>')
    if pn < pages:
        links.append(f'<a class="next" href="/county/index_{pn + 1}.html">下一页</a>')
    body = (
        f'<div class="header">{SITE_NAME}</div>\n<div class="column-title">县区动态</div>\n'
        f'<ul class="list">\n{rows}\n</ul>\n'
        f'<div class="page">共{pages}页 当前第{pn}页 {" ".join(links)}</div>'
    )
    return _gbk(page(f"县区动态 - {SITE_NAME}", body, head='<meta charset="gbk">\n'))


def county_article(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    item = state.get("county", int(match.group(1)))
    if item is None:
        return not_found()
    post = item.post
    flags = post["flags"]
    head = ""
    content_type = "text/html"
    if "charset:header" in flags:
        content_type = "text/html; charset=GBK"
    elif "charset:none" not in flags:
        head = '<meta http-equiv="Content-Type" content="text/html; charset=gbk">\n'
    body = (
        f'<div class="detail" data-id="{item.id}">\n'
        f'<h2 class="detail-title">{escape(post["title"])}</h2>\n'
        f'<div class="detail-info">发布时间：{full(item.published)}　来源：{escape(post["author"])}'
        "</div>\n"
        f'<div class="detail-content" id="zoom">\n{paragraphs(post["text"])}\n</div>\n</div>'
    )
    return _gbk(page(f"{post['title']} - {SITE_NAME}", body, head=head), content_type)


ROUTES: list[Route] = [
    route("GET", r"/county/?()", county_list),
    route("GET", r"/county/index_(\d+)\.html", county_list),
    route("GET", r"/county/article/(\d+)\.html", county_article),
]
