"""Bad input for the crawler's robustness tests: /faults/*, the broken forum page, robots.txt."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from yuqing.crawler.demo_site.httpkit import (
    BadRequest,
    Request,
    Response,
    Route,
    html,
    json_response,
    redirect,
    route,
    text,
)
from yuqing.crawler.demo_site.state import SiteState
from yuqing.crawler.demo_site.templates import page

ROBOTS_TXT = "User-agent: *\nDisallow: /forum/private/\n"
DISALLOWED = "/forum/private/"
CHUNK = 64 * 1024
MAX_SLOW_SECONDS = 10.0

FAULTS = {
    "/faults/500": "HTTP 500 服务器错误",
    "/faults/redirect-loop": "重定向循环 (a → b → a)",
    "/faults/binary": "application/octet-stream 内容",
    "/faults/huge": "超大页面（?bytes=N 指定大小；?nolength=1 不发 Content-Length）",
    "/faults/json-changed": "字段结构已变化的 JSON 接口",
    "/faults/missing-fields": "缺少标题、正文、时间的页面",
    "/faults/bad-date": "无法解析的日期",
    "/faults/wrong-charset": "声明 UTF-8 实为 GBK 的页面",
    "/faults/empty": "200 但正文为空",
    "/faults/slow": "慢响应（?seconds=N，最多 10 秒）",
}

_BROKEN = (
    "<html><head><title>【求助】这页打不开是怎么回事<body>\n"
    '<div class="core_title_wrap"><h1 class="core_title_txt">【求助】这页打不开\n'
    '<div class="p_postlist"><div class="l_post" data-floor="1"><div class="d_post_content">'
    "楼主发的内容只显示了一半<br><b><i>然后就<table><tr><td>乱了\n"
    "<script>var x = '<div>';\n"
    "<p>\x01\x02 锟斤拷烫烫烫 &#xZZZ; &nbsp &lt <<<>>> </div></span></p>\n"
    '<div class="d_post_content">第二楼没有闭合<a href="/forum/thread/0?pn=2>下一页\n'
)


def broken_page() -> Response:
    """Unclosed tags, a stray script, control characters and invalid UTF-8 bytes."""
    body = _BROKEN.encode("utf-8") + b"\xff\xfe\x80 garbage \xe4\xb8" + b"</html"
    return Response(200, body, "text/html; charset=utf-8")


def robots(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    return text(ROBOTS_TXT)


def fault_index(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    rows = "\n".join(f'<li><a href="{path}">{desc}</a></li>' for path, desc in FAULTS.items())
    return html(page("故障页面", f'<h1>故障页面</h1>\n<ul class="faults">\n{rows}\n</ul>'))


def server_error(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    return html(page("500 Internal Server Error", "<h1>服务器内部错误</h1>"), 500)


def redirect_loop(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    target = "/faults/redirect-loop/b" if match.group(1) != "/b" else "/faults/redirect-loop/a"
    return redirect(target)


def binary(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    data = bytes(range(256)) * 16
    return Response(200, data, "application/octet-stream", [("Content-Disposition", "attachment")])


def _huge_chunks(size: int) -> Iterator[bytes]:
    head = b"<!DOCTYPE html><html><head><title>huge</title></head><body>\n"
    tail = b"\n</body></html>\n"
    filler = ("<p>" + "巨大的页面" * 40 + "</p>\n").encode()
    block = filler * max(1, CHUNK // len(filler))
    remaining = size - len(head) - len(tail)
    yield head
    while remaining >= len(block):
        yield block
        remaining -= len(block)
    yield b" " * remaining + tail


def huge(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """``size`` bytes of HTML generated lazily in 64 KiB chunks (never held in memory)."""
    try:
        size = req.int_arg("bytes", state.options.huge_bytes, 1, 10 * 1024**3)
    except BadRequest as exc:
        return text(str(exc), 400)
    size = max(size, 200)
    length = None if req.arg("nolength") else size
    return Response(200, _huge_chunks(size), "text/html; charset=utf-8", length=length)


def json_changed(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    """The board API after an unannounced upgrade: other envelope, other field names."""
    items = state.listing("board")[:5]
    return json_response(
        {
            "status": "success",
            "result": {
                "items": [
                    {
                        "id": f"M{i.id}",
                        "subject": i.post["title"],
                        "body": i.post["text"],
                        "ts": i.epoch * 1000,
                        "user": {"nick": i.post["author"]},
                    }
                    for i in items
                ],
                "pageInfo": {"hasNext": False},
            },
        }
    )


def missing_fields(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    body = (
        '<div class="article"><h1 class="article-title"></h1><div class="article-meta"></div></div>'
    )
    return html("<!DOCTYPE html><html><head></head><body>" + body + "</body></html>")


def bad_date(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    body = (
        '<div class="article"><h1 class="article-title">关于做好冬季供暖工作的通知</h1>\n'
        '<div class="article-meta"><span class="source">来源：鹤城新闻网</span> '
        '<span class="pub-time">2025年13月45日 25:61</span></div>\n'
        '<div class="article-content"><p>发布时间：上周三下午（具体日期见附件）</p>'
        "<p>各供热单位要确保室温达标。</p></div></div>"
    )
    return html(page("关于做好冬季供暖工作的通知", body))


def wrong_charset(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    markup = page(
        "讷河市召开安全生产会议",
        '<div class="detail"><h2 class="detail-title">讷河市召开安全生产会议</h2>\n'
        '<div class="detail-content"><p>会议要求各乡镇压实安全生产责任。</p></div></div>',
        head='<meta charset="utf-8">\n',
    )
    return Response(200, markup.encode("gbk"), "text/html; charset=utf-8")


def empty(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    return Response(200, b"", "text/html; charset=utf-8")


def slow(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    seconds = min(MAX_SLOW_SECONDS, max(0.0, float(req.int_arg("seconds", 2, 0, 10))))
    time.sleep(seconds)
    return html(page("slow", f"<p>waited {seconds:.0f}s</p>"))


ROUTES: list[Route] = [
    route("GET", r"/robots\.txt", robots),
    route("GET", r"/faults/?", fault_index),
    route("GET", r"/faults/500", server_error),
    route("GET", r"/faults/redirect-loop(/a|/b)?", redirect_loop),
    route("GET", r"/faults/binary", binary),
    route("GET", r"/faults/huge", huge),
    route("GET", r"/faults/json-changed", json_changed),
    route("GET", r"/faults/missing-fields", missing_fields),
    route("GET", r"/faults/bad-date", bad_date),
    route("GET", r"/faults/wrong-charset", wrong_charset),
    route("GET", r"/faults/empty", empty),
    route("GET", r"/faults/slow", slow),
]
