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

SKIP = frozenset(
    "script style noscript iframe select option textarea button svg template head "
    "object embed canvas audio video map input label".split()
)
BLOCK = frozenset(
    "p div section article td th tr tbody thead tfoot table li ul ol blockquote pre h1 h2 h3 "
    "h4 h5 h6 dd dl dt center header footer nav aside main figure figcaption body form hr "
    "address fieldset details summary".split()
)
# Where site furniture usually lives: lines there never count as content.
FURNITURE = frozenset("nav header footer aside".split())
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

    @property
    def link_ratio(self) -> float:
        return self.link_chars / max(1, len(self.text))


class _Reader:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.link_chars = 0

    def flush(self, owner: Any, furniture: bool) -> None:
        if self.parts:
            text = _WS.sub(" ", "".join(self.parts)).strip()
            if text:
                self.lines.append(Line(owner, text, min(self.link_chars, len(text)), furniture))
            self.parts = []
        self.link_chars = 0

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self.parts.append(text)
            if in_link:
                self.link_chars += len(text.strip())

    def walk(self, el: Any, owner: Any, in_link: bool, furniture: bool, depth: int) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP or depth > MAX_DEPTH:
            return
        block = tag in BLOCK
        if block:
            self.flush(owner, furniture)
            # furniture marks a block's own lines and its children's, not a whole subtree:
            # broken pages wrap their article in a never-closed "post_header"
            furniture = tag in FURNITURE or _is_furniture(el) or _parent_furniture(el)
            owner = el
        elif tag == "br":
            self.flush(owner, furniture)
            return
        link = in_link or tag == "a"
        self.add(el.text, link)
        for child in el:
            self.walk(child, owner, link, furniture, depth + 1)
            self.add(child.tail, link)
        if block:
            self.flush(owner, furniture)


def _parent_furniture(el: Any) -> bool:
    parent = el.getparent()
    return parent is not None and (parent.tag in FURNITURE or _is_furniture(parent))


def _is_furniture(el: Any) -> bool:
    hint = (el.get("class") or "") + " " + (el.get("id") or "")
    return bool(hint.strip()) and _FURNITURE_HINT.search(hint) is not None


def page_lines(root: Any) -> list[Line]:
    """The page's text as lines, in document order (scripts, styles and forms' controls out)."""
    body = root.find(".//body") if root.tag != "body" else root
    reader = _Reader()
    start = body if body is not None else root
    reader.walk(start, start, False, False, 0)
    reader.flush(start, False)
    return reader.lines


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
    depth: dict[Any, int] = {}
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
                depth[el] = sum(1 for _ in el.iterancestors())
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


def block_lines(lines: list[Line], block: Any) -> list[Line]:
    """The lines inside ``block`` that read as text (not link lists)."""
    inside = set(block.iter())
    return [
        line
        for line in lines
        if line.owner in inside and line.link_ratio <= 0.5 and not line.furniture
    ]


# -- trimming: what Chinese news pages print before and after the article itself ----------
_LEAD = re.compile(
    r"^[(（【\[]?\s*(?:本文)?原标题|^[(（【\[]?\s*(?:编前语|编者按|导读|摘要|划重点|文/|作者[:：]|"
    r"来源[:：]|记者[:：]?|原创[:：]|图片来源|图源|题图|字号|发布时间|发布日期|更新时间)"
    r"|^\d+\s*/\s*\d+$|(?:视觉中国|资料图|供图|图片来源[^。]*|摄)$|^【[^】]{0,40}】$",
)
_TAIL = re.compile(
    r"(?:^|[(（【\[])\s*(?:责任编辑|责编|编辑|校对|审核|本文来源|来源|原题|原标题|本文来自|"
    r"采写|撰文|实习生|特别声明|声明|免责声明|版权声明|图片来自|返回.{0,8}首页|"
    r"点击进入|关注我们|扫码|下载.{0,10}(?:客户端|APP))"
    r"|(?:侵权|删除|转载|首页\s*>+|>>)\s*[)）】\]]?\s*[。.]?$",
    re.I,
)
_PARENTHESIZED = re.compile(r"^[(（【\[].*[)）】\]]$")
_BYLINE_WORDS = re.compile(r"(记者|通讯员|作者|编辑|来源|出处|发布|字号|分享|评论|人参与|阅读)")
_DATE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}:\d{2}")


def _lead_junk(text: str, title: str) -> bool:
    if title and (text == title or (len(text) <= len(title) + 4 and title in text)):
        return True
    if len(text) > 80:
        return False
    if _LEAD.search(text):
        return True
    if _DATE.search(text) and (len(text) <= 40 or _BYLINE_WORDS.search(text)):
        return True
    return len(text) <= 30 and _BYLINE_WORDS.search(text) is not None and "。" not in text


def _tail_junk(text: str) -> bool:
    if len(text) > 120:
        return False
    if _TAIL.search(text):
        return True
    return bool(_PARENTHESIZED.match(text)) and len(text) <= 60 and not text.endswith(("完)", "完）"))


def trim(lines: list[str], title: str = "") -> list[str]:
    """The body lines less the credits, captions and notices at either end."""
    start, end = 0, len(lines)
    while start < end and _lead_junk(lines[start], title):
        start += 1
    while end > start and _tail_junk(lines[end - 1]):
        end -= 1
    return lines[start:end]


def main_text(root: Any, title: str = "", lines: list[Line] | None = None) -> str | None:
    """The article body as text, one paragraph a line; None when no block reads as text."""
    lines = page_lines(root) if lines is None else lines
    block = best_block(lines)
    if block is None:
        return None
    body = trim([line.text for line in block_lines(lines, block)], title)
    text = "\n".join(body).strip()
    return text or None
