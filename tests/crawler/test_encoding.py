"""Which encoding a page is read with, and mojibake (issue 12). Pages and texts written by us."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from tests.crawler.conftest import FIXTURES
from yuqing.crawler.encoding import better_encoding, fix_encoding, garbled, page_encoding

TEXT = "交通运输部召开会议，部署今年春运工作，要求各地做好运力安排和安全保障。"


def html(body: bytes, content_type: str | None = None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse("http://site.test/a.html", body=body, headers=headers)


def test_page_declaring_gb2312_whose_bytes_are_utf8_is_read_as_utf8() -> None:
    body = (FIXTURES / "articles" / "gb2312_but_utf8.html").read_bytes()
    response = html(body)
    assert response.encoding == "gb18030"  # what the declaration alone gives
    fixed = fix_encoding(response)
    assert page_encoding(fixed) == "utf-8"
    assert "交通运输部部署春运工作" in fixed.text and not garbled(fixed.text)


def test_page_declaring_gbk_in_the_header_whose_bytes_are_utf8() -> None:
    body = f"<html><body><p>{TEXT}</p></body></html>".encode()
    fixed = fix_encoding(html(body, "text/html; charset=GBK"))
    assert page_encoding(fixed) == "utf-8" and TEXT in fixed.text


def test_page_declaring_gb2312_that_is_gbk_stays_gb18030() -> None:
    body = f'<html><head><meta charset="gb2312"></head><body>{TEXT}</body></html>'.encode("gbk")
    fixed = fix_encoding(html(body))
    assert page_encoding(fixed) == "gb18030" and TEXT in fixed.text


def test_page_declaring_utf8_that_is_gbk_is_read_as_gb18030() -> None:
    body = f'<html><head><meta charset="utf-8"></head><body>{TEXT}</body></html>'.encode("gbk")
    assert better_encoding(html(body)) == "gb18030"


def test_the_sources_encoding_wins() -> None:
    body = f"<html><body>{TEXT}</body></html>".encode()
    assert page_encoding(fix_encoding(html(body), forced="gbk")) == "gb18030"


@pytest.mark.parametrize(
    "wrong", ["gbk", "gb18030", "latin-1", "cp1252"], ids=lambda e: f"utf8-read-as-{e}"
)
def test_utf8_read_in_another_encoding_is_garbled(wrong: str) -> None:
    assert garbled(TEXT.encode().decode(wrong, errors="replace"))


def test_gbk_read_as_utf8_is_garbled() -> None:
    assert garbled(TEXT.encode("gbk").decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "龍沙區的燒烤店全部被關停了，我們手續齊全。",  # Traditional
        "Café au lait — naïve résumé, 20 € and “quotes”.",
        "有一個�字符但其餘都正常的長文本，這種情況不應當算作亂碼，因為只有一個替換字符而已。",
        "short",
        "",
    ],
)
def test_readable_text_is_not_garbled(text: str) -> None:
    assert not garbled(text)
