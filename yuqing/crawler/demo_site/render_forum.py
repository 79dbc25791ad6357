"""Tieba-style forum: list pages (?pn=N), thread pages with replies (?pn=N for long threads).

Times are Chinese relative strings (刚刚, 3分钟前, 昨天 14:02, 11-25 08:30, 2025年3月5日 10:20)
rendered against the site's clock. Page 1 of the list also links the broken page
(``/forum/thread/0``) and a path that robots.txt disallows (``/forum/private/1``).
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from yuqing.crawler.demo_site.clock import forum_time
from yuqing.crawler.demo_site.faults import broken_page
from yuqing.crawler.demo_site.httpkit import BadRequest, Request, Response, Route, html, not_found
from yuqing.crawler.demo_site.httpkit import route as make_route
from yuqing.crawler.demo_site.state import SitePost, SiteState
from yuqing.crawler.demo_site.templates import escape, page

THREADS_PER_PAGE = 30
FLOORS_PER_PAGE = 30
FORUM_NAME = "齐齐哈尔吧"

REPLIES = (
    "顶一下",
    "帮顶",
    "同样情况，我们那边也是这样",
    "已经打过12345了，说是转给相关部门了",
    "楼主说的是具体哪个位置？",
    "支持楼主，这事早该有人管了",
    "坐等官方回复",
    "路过，帮你顶上去",
    "去市长热线留言板留言试试，比在这说管用",
    "我家就在附近，确实挺严重的",
    "楼上说得对",
    "有图吗？没图没真相",
    "听说区里已经在处理了",
    "这个是真的，前两天我路过看见了",
    "mark一下",
    "蹲一个后续",
    "同求解决办法",
    "别光在网上说，直接去信访办",
    "唉，老百姓太难了",
    "呵呵，习惯就好",
    "求吧主置顶",
    "我们小区也这样，反映了好几次了",
    "这种事一般找街道办",
    "希望早点解决吧",
    "楼主加油",
    "冬天还这样，受不了",
    "已经转给认识的记者了",
    "都是为了生活，互相理解一下吧",
    "附近的都知道，一直这样",
    "顶起来让更多人看到",
    "官方号已经回复了，说会核实",
    "这不是第一次了",
)
NAMES = (
    "鹤城老司机",
    "卜奎小哥",
    "嫩江边的风",
    "龙沙吃瓜群众",
    "齐市土著",
    "铁锋路人甲",
    "扎龙的鹤",
    "下班回家的张姐",
    "爱吃烤肉的胖子",
    "北方的狼",
    "小区业主",
    "路过的热心人",
    "冰城过客",
    "富区老工人",
    "昂溪少年",
    "吃了么您",
    "不想起床",
    "一只小鹤",
    "老齐齐哈尔",
    "东北大碴子",
)


def _page_arg(req: Request) -> int:
    try:
        return req.int_arg("pn", 1, 1)
    except BadRequest:
        return 1


def _thread_item(
    tid: str, title: str, author: str, when: str, replies: int, abstract: str, href: str
) -> str:
    return (
        f'<li class="j_thread_list" data-tid="{tid}">\n'
        f'  <span class="threadlist_rep_num" title="回复">{replies}</span>\n'
        f'  <a class="j_th_tit" href="{href}" title="{escape(title)}">{escape(title)}</a>\n'
        '  <span class="threadlist_author">'
        f'<span class="frs-author-name">{escape(author)}</span></span>\n'
        f'  <span class="threadlist_time" title="发帖时间">{when}</span>\n'
        f'  <div class="threadlist_abs">{escape(abstract)}</div>\n</li>'
    )


def _abstract(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:60] + "…"


def forum_list(state: SiteState, req: Request, _: re.Match[str]) -> Response:
    pn = _page_arg(req)
    now = state.now()
    items = state.listing("forum")
    pinned = [i for i in items if "pinned" in i.post["flags"]]
    threads = [i for i in items if "pinned" not in i.post["flags"]]
    pages = max(1, -(-len(threads) // THREADS_PER_PAGE))
    if pn > pages:
        return not_found()
    chunk = threads[(pn - 1) * THREADS_PER_PAGE : pn * THREADS_PER_PAGE]
    rows = [_row(i, now) for i in chunk]
    if pn == 1:
        rows[3:3] = [
            _thread_item(
                "0",
                "【求助】这页打不开是怎么回事",
                "乱码君",
                "刚刚",
                2,
                "@#￥%……",
                "/forum/thread/0",
            ),
            _thread_item(
                "1",
                "吧务内部通知（仅吧务可见）",
                "吧务组",
                "前天 09:15",
                0,
                "内部",
                "/forum/private/1",
            ),
        ]
        rows[:0] = [_row(i, now, pinned=True) for i in pinned]
    nav = [f'<span class="pagination-current">第{pn}页/共{pages}页</span>']
    if pn > 1:
        nav.insert(0, f'<a class="pre pagination-item" href="/forum/?pn={pn - 1}">&lt;上一页</a>')
    if pn < pages:
        nav.append(f'<a class="next pagination-item" href="/forum/?pn={pn + 1}">下一页&gt;</a>')
        nav.append(f'<a class="last pagination-item" href="/forum/?pn={pages}">尾页</a>')
    body = (
        f'<div class="card_title"><h1 class="card_title_fname">{FORUM_NAME}</h1></div>\n'
        f'<ul id="thread_list" class="threadlist">\n' + "\n".join(rows) + "\n</ul>\n"
        f'<div id="frs_list_pager" class="pagination-default">{" ".join(nav)}</div>'
    )
    return html(page(f"{FORUM_NAME}-百度贴吧", body))


def _row(item: SitePost, now: datetime, pinned: bool = False) -> str:
    post = item.post
    title = ("【置顶】" if pinned else "") + post["title"]
    when = forum_time(item.published, now)
    return _thread_item(
        str(item.id),
        title,
        post["author"],
        when,
        post["replies"],
        _abstract(post["text"]),
        f"/forum/thread/{item.id}",
    )


def _floor(pid: int, floor: int, author: str, content_html: str, when: str) -> str:
    return (
        f'<div class="l_post j_l_post" data-pid="{pid}" data-floor="{floor}">\n'
        f'  <div class="d_author"><a class="p_author_name" href="#">{escape(author)}</a></div>\n'
        f'  <div class="d_post_content j_d_post_content">{content_html}</div>\n'
        f'  <div class="post-tail-wrap"><span class="tail-info">{floor}楼</span>'
        f'<span class="tail-info post-time">{when}</span></div>\n</div>'
    )


def thread(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    tid = int(match.group(1))
    if tid == 0:
        return broken_page()
    item = state.get("forum", tid)
    if item is None:
        return not_found()
    post, now = item.post, state.now()
    floors = post["replies"] + 1
    pages = max(1, -(-floors // FLOORS_PER_PAGE))
    pn = _page_arg(req)
    if pn > pages:
        return not_found()
    rng = random.Random(item.id)
    span = max(state.anchor - item.published, timedelta(0))
    parts = []
    for floor in range(1, floors + 1):
        # draw for every floor so each floor's content is the same whatever page shows it
        name, reply = rng.choice(NAMES), rng.choice(REPLIES)
        if not (pn - 1) * FLOORS_PER_PAGE < floor <= pn * FLOORS_PER_PAGE:
            continue
        if floor == 1:
            content = "<br>".join(escape(line) for line in post["text"].splitlines())
            parts.append(
                _floor(
                    item.id * 1000 + 1, 1, post["author"], content, forum_time(item.published, now)
                )
            )
        else:
            when = item.published + span * ((floor - 1) / floors) + timedelta(seconds=floor)
            parts.append(
                _floor(item.id * 1000 + floor, floor, name, escape(reply), forum_time(when, now))
            )
    nav = [
        f'<span class="l_reply_num"><span class="red">{post["replies"]}</span>回复贴，共'
        f'<span class="red">{pages}</span>页</span>'
    ]
    if pn > 1:
        nav.append(f'<a href="/forum/thread/{tid}?pn={pn - 1}">上一页</a>')
    if pn < pages:
        nav.append(f'<a class="next" href="/forum/thread/{tid}?pn={pn + 1}">下一页</a>')
        nav.append(f'<a href="/forum/thread/{tid}?pn={pages}">尾页</a>')
    body = (
        f'<div class="core_title_wrap"><h1 class="core_title_txt" title="{escape(post["title"])}">'
        f'{escape(post["title"])}</h1></div>\n<div class="p_postlist">\n'
        + "\n".join(parts)
        + f'\n</div>\n<div class="l_pager pager_theme_4">{" ".join(nav)}</div>'
    )
    return html(page(f"{post['title']}_{FORUM_NAME}_百度贴吧", body))


def private(state: SiteState, req: Request, match: re.Match[str]) -> Response:
    body = '<h1>吧务内部页面</h1><p class="private-marker">robots.txt 禁止抓取本路径。</p>'
    return html(page("吧务内部", body))


ROUTES: list[Route] = [
    make_route("GET", r"/forum/?", forum_list),
    make_route("GET", r"/forum/thread/(\d+)", thread),
    make_route("GET", r"/forum/private/.*", private),
]
