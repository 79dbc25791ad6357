"""The main text of an article page, found by text density (the idea of GNE and readability,
written here for Chinese pages): the page is read as lines (a line ends at every block element
and ``<br>``); lines with sentence punctuation and little link text score for the blocks that
hold them; the best block's lines are the body, less the credits, captions and notices that
Chinese news pages put before and after it (see :func:`trim`).

Nothing here changes the tree: the spider's selectors may still run on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


SKIP = _tags(
    "script style noscript iframe select option textarea button svg template head "
    "object embed canvas audio video map input label"
)
BLOCK = _tags(
    "p div section article td th tr tbody thead tfoot table li ul ol blockquote pre h1 h2 "
    "h3 h4 h5 h6 dd dl dt center header footer nav aside main figure figcaption body form "
    "hr address fieldset details summary"
)
# Where site furniture usually lives: lines there never count as content.
FURNITURE = frozenset(("nav", "header", "footer", "aside"))
_FURNITURE_HINT = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|footer|header|sidebar|side|breadcrumb|crumb|share|comment|"
    r"recommend|related|hot|rank|copyright|login|toolbar|advert|ad|ads|tags?)(?:$|[\s_-])",
    re.I,
)
_PUNCT = re.compile(r"[，。！？；、：,.!?;“”「」]")
_WS = re.compile(r"\s+")
MAX_DEPTH = 300


@dataclass
class Line:
    owner: Any  # the block element holding the line
    text: str
    link_chars: int
    furniture: bool
    # an <img> of the same block came between the previous line and this one
    after_image: bool = False
    pieces: tuple[str, ...] = ()  # the text of each element and tail, for bylines

    @property
    def link_ratio(self) -> float:
        return self.link_chars / max(1, len(self.text))


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.link_chars = 0
        self.image: Any = None  # the block of the last <img> not yet followed by a line
        self.depth: dict[Any, int] = {}  # each block's depth under the walk's start

    def flush(self, owner: Any, furniture: bool) -> None:
        if self.parts:
            text = _WS.sub(" ", "".join(self.parts)).strip()
            if text:
                link = min(self.link_chars, len(text))
                after_image = self.image is owner
                pieces = tuple(p.strip() for p in self.parts if p.strip())
                self.lines.append(Line(owner, text, link, furniture, after_image, pieces))
                self.image = None
            self.parts = []
        self.link_chars = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def walk(
        self, el: Any, owner: Any, in_link: bool, furniture: bool, hint: bool, depth: int
    ) -> None:
        """``hint``: the enclosing block is furniture by itself (tag, class or id)."""
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP or depth > MAX_DEPTH:
            return
        block = tag in BLOCK
        if block:
            self.flush(owner, furniture)
            # furniture marks a block's own lines and its children's, not a whole subtree:
            # broken pages wrap their article in a never-closed "post_header"
            own = tag in FURNITURE or _is_furniture(el)
            furniture, hint = own or hint, own
            owner = el
            self.depth[el] = depth
        elif tag == "br":
            self.flush(owner, furniture)
            return
        elif tag == "img":
            self.flush(owner, furniture)
            self.image = owner
        link = in_link or tag == "a"
        self.add(el.text, link)
        for child in el:
            self.walk(child, owner, link, furniture, hint, depth + 1)
            self.add(child.tail, link)
        if block:
            self.flush(owner, furniture)


def _is_furniture(el: Any) -> bool:
    hint = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(hint.strip()) and _FURNITURE_HINT.search(hint) is not None


class Lines(list[Line]):
    """A page's lines, with the depth of each block that holds them."""

    depth: dict[Any, int]


def page_lines(root: Any) -> Lines:
    """The page's text as lines, in document order (scripts, styles and forms' controls out)."""
    body = root.find(".//body") if root.tag != "body" else root
    reader = _Reader()
    start = body if body is not None else root
    reader.walk(start, start, False, False, False, 0)
    reader.flush(start, False)
    lines = Lines(reader.lines)
    lines.depth = reader.depth
    return lines


def line_score(line: Line) -> float:
    """What a line says about its block: sentences count, links and furniture count against."""
    n = len(line.text)
    if line.furniture:
        return -min(n, 200) / 20.0
    if line.link_ratio > 0.5:
        return -min(n, 200) / 10.0
    if n < 10:
        return 0.0
    punct = len(_PUNCT.findall(line.text))
    return punct + min(n / 40.0, 8.0)


def best_block(lines: list[Line]) -> Any | None:
    """The element whose lines score highest (each line counts for its block, its parent and,
    at half weight, its grandparent: paragraphs in one container add up there)."""
    scores: dict[Any, float] = {}
    depth: dict[Any, int] = dict(getattr(lines, "depth", {}))
    for line in lines:
        score = line_score(line)
        if score == 0:
            continue
        weight = 1.0
        el = line.owner
        for level in range(3):
            if el is None:
                break
            scores[el] = scores.get(el, 0.0) + score * weight
            if el not in depth:
                depth[el] = sum(1 for _ in el.iterancestors()) - 1
            el = el.getparent()
            weight = 1.0 if level == 0 else 0.5
    if not scores:
        return None
    # the highest score; among near-equal ones (within 5 %), the deepest element
    top = max(scores.values())
    if top <= 0:
        return None
    near = [el for el, s in scores.items() if s >= top * 0.95]
    return max(near, key=lambda el: (depth[el], scores[el]))


_ASIDE_HINT = re.compile(
    r"intro|summary|abstract|digest|guide|caption|pic|photo|img|image|figure|editor|source|"
    r"author|statement|copyright|declare|disclaimer|keyword",
    re.I,
)
_CAPTION_WORDS = re.compile(
    r"供图|摄$|摄）|截图|资料|视觉中国|图片来源|图源|图为|^图[:：丨|]|[▲△↑]|（图|\(图"
)
# How a caption printed as a paragraph ends: "…。视觉中国 资料", "…。沙坪坝区公安分局供图 华龙网"
_CAPTION_END = re.compile(
    r"(?:供图|截图|资料图?|视觉中国|[记摄]者\s*\S{2,4}\s*摄|摄)(?:\s+\S{1,8})?$"
)
_END_PUNCT = ("。", "！", "？", "!", "?", "…", "”", '"', "」", "』", "；")


def _aside(el: Any) -> bool:
    """A block of captions, summaries or credits inside the article (by its class or id)."""
    if el.tag == "figcaption":
        return True
    hint = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(hint.strip()) and _ASIDE_HINT.search(hint) is not None


def is_caption(line: Line) -> bool:
    """A picture's caption: a short line right after an image, credited or not a sentence."""
    if not line.after_image or len(line.text) > 80:
        return False
    return _CAPTION_WORDS.search(line.text) is not None or not line.text.endswith(_END_PUNCT)


def block_lines(lines: list[Line], block: Any) -> list[Line]:
    """The lines inside ``block`` that read as article text: not link lists, furniture,
    captions, summaries or credits."""
    inside = set(block.iter())
    out = []
    for line in lines:
        if line.owner not in inside or line.link_ratio > 0.5 or line.furniture:
            continue
        if (line.owner is not block and _aside(line.owner)) or is_caption(line):
            continue
        out.append(line)
    return out


# -- trimming: what Chinese news pages print before and after the article itself ----------
_LABELLED = re.compile(
    r"^[(（【\[]?\s*(?:本文)?(?:原标题|编前语|编者按|编者的话|导读|导语|摘要|划重点|核心提示|内容提要)"
)
_LEAD = re.compile(
    r"^[(（【\[]?\s*(?:文/|作者[:：]|来源[:：]|记者[:：]|原创[:：]|图片来源|图源|题图|字号|"
    r"发布时间|发布日期|更新时间)"
    r"|^\d+\s*/\s*\d+$|^【[^】]{0,40}】$|^[^。]{0,12}[:：]$"
)
_PROMO = re.compile(
    r"下载.{0,12}(?:客户端|APP)|扫码|扫描.{0,6}二维码|关注.{0,10}公众号|点击.{0,6}(?:进入|查看|下载)"
    r"|第一时间(?:免费)?(?:试玩|接收|获取)|点【在看】|菜单栏|回复【|分享给(?:朋友|好友)|长按.{0,6}识别",
    re.I,
)
_TAIL = re.compile(
    r"(?:^|[(（【\[])\s*(?:责任编辑|责编|编辑|校对|审核|本文来源|来源|原题|原标题|本文来自|"
    r"采写|撰文|实习生|特别声明|声明|免责声明|版权声明|图片来自|返回.{0,8}首页|转载|"
    r"点击进入|关注我们|打印|关闭窗口|关闭本页|收藏本页)"
    r"|(?:侵权|删除|转载|首页\s*>+|>>)\s*[)）】\]]?\s*[。.]?$|THE\s*END|跟帖|已输入\d*字|^评论\s*[(（]",
    re.I,
)
_CREDIT = re.compile(r"实习生|贡献|原题|来源|本文|编辑|记者|作者|通讯员|图|摄|校对")
_REPORTER = re.compile(r"(?:记者|编辑|作者|通讯员|摄影|摄|校对)")
_PARENTHESIZED = re.compile(r"^[(（【\[].*[)）】\]]$")
_BYLINE_WORDS = re.compile(r"(记者|通讯员|作者|编辑|来源|出处|发布|字号|分享|评论|人参与|阅读)")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}:\d{2}")


def _like_title(text: str, title: str) -> bool:
    """The headline again, or a variant of it (a subtitle that repeats most of its words)."""
    if not title or "。" in text or len(text) > max(60, len(title) * 1.5):
        return False
    if text == title or title in text:
        return True
    shared = sum(1 for ch in set(text) if ch in title)
    return shared >= 0.6 * len(set(text))


def _lead_junk(line: Line, title: str) -> bool:
    text = line.text
    if _LABELLED.search(text) or _like_title(text, title):
        return True
    if len(text) <= 150 and _PROMO.search(text):
        return True
    if len(text) <= 40 and _CAPTION_END.search(text):
        return True
    if len(text) > 80:
        return False
    if _LEAD.search(text):
        return True
    if len(text) <= 4 and not text.endswith((*_END_PUNCT, "，", ",")):
        return True
    if _DATE.search(text) and (len(text) <= 40 or _BYLINE_WORDS.search(text)):
        return True
    return len(text) <= 30 and _BYLINE_WORDS.search(text) is not None and "。" not in text


def _tail_junk(text: str) -> bool:
    if len(text) > 150:
        return False
    if _PROMO.search(text) or _TAIL.search(text):
        return True
    if len(text) <= 25 and "。" not in text and _REPORTER.search(text):
        return True
    if len(text) <= 10 and not text.endswith((*_END_PUNCT, ")", "）")):
        return True
    return bool(_PARENTHESIZED.match(text)) and len(text) <= 60 and bool(_CREDIT.search(text))


def trim(lines: list[Line], title: str = "") -> list[str]:
    """The body lines less the credits, summaries, captions and notices at either end."""
    start, end = 0, len(lines)
    while start < end and (_lead_junk(lines[start], title) or lines[start].owner.tag == "li"):
        start += 1
        if start < end and lines[start - 1].owner.tag != "li" and lines[start].owner.tag == "li":
            # a summary list after a label ("划重点："): skipped with it
            while start < end and lines[start].owner.tag == "li":
                start += 1
    while end > start and _tail_junk(lines[end - 1].text):
        end -= 1
    return [line.text for line in lines[start:end]]


def main_text(root: Any, title: str = "", lines: list[Line] | None = None) -> str | None:
    """The article body as text, one paragraph a line; None when no block reads as text."""
    lines = page_lines(root) if lines is None else lines
    block = best_block(lines)
    if block is None:
        return None
    text = "\n".join(trim(block_lines(lines, block), title)).strip()
    return text or None
