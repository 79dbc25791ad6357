"""Which encoding a page is read with, and whether text came out garbled (issue 12).

Real Chinese sites declare encodings their bytes do not use: GBK pages that say UTF-8 or say
nothing, and UTF-8 pages that still say ``gb2312`` from an old template. :func:`better_encoding`
picks what the bytes are; :func:`fix_encoding` re-reads a response with it (the crawl's
downloader middleware does this for every page); :func:`page_encoding` names the encoding a
page was read with (``sources try`` shows it).

:func:`garbled` spots mojibake in extracted text (UTF-8 read as GBK or Latin-1, or replacement
characters), which the validate stage drops as ``garbled_text``.
"""

from __future__ import annotations

import re

from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

CHINESE_ENCODINGS = {"gbk", "gb2312", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}
_UTF8_NAMES = ("utf8", "ascii", "usascii")


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def declared_encoding(response: TextResponse) -> str | None:
    """The encoding the page declares (HTTP header first, then a ``<meta>`` tag)."""
    header = response.headers.get(b"Content-Type")
    declared = http_content_type_encoding(header.decode("latin-1") if header else None)
    return declared or html_body_declared_encoding(response.body[:4096])


def better_encoding(response: TextResponse, forced: str | None = None) -> str | None:
    """The encoding to re-read ``response`` with, or None to keep Scrapy's choice.

    The source's ``encoding`` (``forced``) wins. GBK and GB2312 are read as GB18030 (a
    superset), unless the bytes are not that but are UTF-8 (a page that declares gb2312 and
    is UTF-8). A page declared UTF-8 whose bytes are not UTF-8 but are GB18030 is re-read as
    GB18030; so is a page that declares nothing and is not UTF-8.
    """
    if forced:
        name = forced.lower()
        return "gb18030" if name in CHINESE_ENCODINGS else name
    body = response.body
    declared = declared_encoding(response)
    current = (response.encoding or "").lower()
    is_utf8 = not body.isascii() and _decodes(body, "utf-8")
    if declared and declared.lower() in CHINESE_ENCODINGS:
        if is_utf8 and not _decodes(body, "gb18030"):
            return "utf-8" if current.replace("-", "") != "utf8" else None
        if is_utf8 and _utf8_more_likely(body):
            return "utf-8" if current.replace("-", "") != "utf8" else None
        return "gb18030" if current != "gb18030" else None
    if body.isascii() or is_utf8:
        return None
    if declared and declared.lower().replace("-", "") not in _UTF8_NAMES:
        return None  # declared something else that fits; trust it
    if _decodes(body, "gb18030"):
        return "gb18030"
    return None


def _utf8_more_likely(body: bytes) -> bool:
    """Bytes that decode both ways: UTF-8 unless that reads as mojibake and GB18030 does not.
    (Valid UTF-8 with CJK text is rarely valid GB18030 by chance, and the other way round.)"""
    as_utf8 = body.decode("utf-8")
    return not garbled(_sample(as_utf8)) and garbled(_sample(body.decode("gb18030")))


def _sample(text: str) -> str:
    return "".join(ch for ch in text[:200_000] if ord(ch) > 0x7F)[:4000]


def fix_encoding(response: TextResponse, forced: str | None = None) -> TextResponse:
    """``response`` re-read with :func:`better_encoding`'s choice (or itself)."""
    encoding = better_encoding(response, forced)
    if encoding is None or encoding == (response.encoding or "").lower():
        return response
    return response.replace(encoding=encoding)


def page_encoding(response: TextResponse) -> str:
    """The encoding ``response``'s text was read with (lower case, e.g. ``utf-8``,
    ``gb18030``), as :func:`fix_encoding` left it."""
    return (response.encoding or "").lower()


# -- mojibake ----------------------------------------------------------------------------
# Characters that UTF-8 bytes of common CJK text turn into when read as GBK (the lead bytes
# E4-E9 of CJK characters make these GBK characters, in pairs with the next byte).
_GBK_MOJIBAKE = re.compile("[浣鍙鐨鏄璇鎴涓鍦澶杩鏂鐢缁宸闂鑰绗閫骞鏈鏃]")
_LATIN1_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00ff]|[äåæçèé][\u0080-\u00bf]")
REPLACEMENT = "\ufffd"


def garbled(text: str | None, min_chars: int = 8) -> bool:
    """True when ``text`` reads as mojibake: replacement characters (over 2 % of its non-ASCII
    characters), UTF-8 read as GBK (it re-encodes as GB18030 into valid UTF-8, or is dense
    in the characters that misreading makes), or UTF-8 read as Latin-1."""
    if not text:
        return False
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if len(wide) < min_chars:
        return False
    sample = "".join(wide[:4000])
    if sample.count(REPLACEMENT) > max(1, len(sample) // 50):
        return True
    if _LATIN1_MOJIBAKE.search(sample) and _round_trips(sample, "latin-1"):
        return True
    if _round_trips(sample, "gb18030"):
        return True
    return len(_GBK_MOJIBAKE.findall(sample)) > len(sample) * 0.15


def _round_trips(sample: str, wrong: str) -> bool:
    """``sample`` is UTF-8 bytes that were decoded as ``wrong``."""
    try:
        raw = sample.replace(REPLACEMENT, "").encode(wrong)
    except UnicodeEncodeError:
        return False
    if raw.isascii():
        return False
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(fixed) < len(sample)
