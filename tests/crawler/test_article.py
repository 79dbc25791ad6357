"""The generic article extractor (issue 12), heuristic by heuristic, on small pages we wrote
(fixtures/articles/, see fixtures/README.md): no per-site selectors anywhere."""

from __future__ import annotations

from datetime import datetime

import pytest
from lxml import html as lxml_html  # type: ignore[import-untyped]
from scrapy.http import HtmlResponse

from tests.crawler.conftest import FIXTURE_NOW, FIXTURES, TZ
from yuqing.crawler import density
from yuqing.crawler.article import extract_article, fill_missing, find_title
from yuqing.crawler.encoding import fix_encoding
from yuqing.crawler.extract import root


def page(name: str) -> HtmlResponse:
    body = (FIXTURES / "articles" / name).read_bytes()
    response = fix_encoding(HtmlResponse(f"http://site.test/{name}", body=body))
    assert isinstance(response, HtmlResponse)
    return response


def extract(name: str, fallback: bool = False) -> object:
    return extract_article(root(page(name)), FIXTURE_NOW, TZ, fallback=fallback)


def tree(markup: str) -> object:
    return lxml_html.fromstring(markup)


# -- title ---------------------------------------------------------------------------------
def test_title_is_the_heading_the_title_tag_shows_without_the_site_suffix() -> None:
    art = extract("news_site.html")
    assert art.title == "市区三条道路下周起封闭施工"  # <title> adds "_鹤城新闻_鹤城新闻网"


def test_title_from_a_title_classed_element_when_there_is_no_heading() -> None:
    assert extract("gov_site.html").title == "龙沙区开展冬季供暖入户检查"


@pytest.mark.parametrize(
    ("title_tag", "expected"),
    [
        ("龙江县召开冬季防火会议_龙江新闻网", "龙江县召开冬季防火会议"),
        ("龙江县召开冬季防火会议-新浪网", "龙江县召开冬季防火会议"),
        ("龙江县召开冬季防火会议|防火|会议_龙江新闻网", "龙江县召开冬季防火会议"),
        ("龙江县召开冬季防火会议 - 龙江县人民政府", "龙江县召开冬季防火会议"),
        ("龙江县召开冬季防火会议——龙江新闻", "龙江县召开冬季防火会议"),
    ],
)
def test_site_suffixes_are_stripped_from_a_bare_title_tag(title_tag: str, expected: str) -> None:
    title, heading = find_title(tree(f"<html><head><title>{title_tag}</title></head></html>"))
    assert (title, heading) == (expected, None)


def test_og_title_wins_over_a_title_tag_that_extends_it() -> None:
    markup = (
        '<html><head><meta property="og:title" content="嫩江水位回落 沿江公园重新开放">'
        "<title>嫩江水位回落 沿江公园重新开放-鹤城,嫩江,公园 ——鹤城网</title></head></html>"
    )
    assert find_title(tree(markup))[0] == "嫩江水位回落 沿江公园重新开放"


def test_a_logo_heading_that_is_the_title_suffix_is_not_the_title() -> None:
    markup = (
        "<html><head><title>供暖通知_鹤城新闻网</title></head><body>"
        '<h1 class="logo">鹤城新闻网</h1><h2>供暖通知</h2></body></html>'
    )
    assert find_title(tree(markup))[0] == "供暖通知"


def test_a_title_tag_with_only_the_site_name_gives_way_to_the_one_long_h1() -> None:
    markup = (
        "<html><head><title>鹤城新闻网</title></head><body>"
        "<h1>龙沙区启动老旧小区供热管网改造</h1><p>正文。</p></body></html>"
    )
    assert find_title(tree(markup))[0] == "龙沙区启动老旧小区供热管网改造"


def test_an_unclosed_title_tag_does_not_make_markup_a_title() -> None:
    markup = "<html><head><title>求助：页面打不开<body><div class='x'>内容</div></html>"
    assert find_title(tree(markup))[0] == "求助：页面打不开"


# -- byline: dates and authors near the title ---------------------------------------------
def test_date_and_source_printed_under_the_title() -> None:
    art = extract("news_site.html")
    assert art.published == datetime(2026, 3, 5, 10, 20, 31, tzinfo=TZ)
    assert art.author == "鹤城日报"  # "来源: 鹤城日报"


def test_a_labelled_author_wins_over_the_source() -> None:
    art = extract("gov_site.html")  # 发布日期：2026年03月05日08:18 作者：张三 信息来源：区住建局
    assert art.published == datetime(2026, 3, 5, 8, 18, tzinfo=TZ)
    assert art.author == "张三"


def test_date_without_a_year_takes_the_year_of_the_metadata_date_of_that_day() -> None:
    art = extract("partial_date.html")  # "发布时间：10-08 12:00", itemprop dateUpdate 2025-10-08
    assert art.published == datetime(2025, 10, 8, 12, 0, tzinfo=TZ)
    assert art.author == "鹤城文旅"  # the name before a labelled date


def test_relative_date_is_read_against_the_crawl_time() -> None:
    art = extract("relative_date.html")  # "昨天 12:30", crawled 2026-11-27 17:00
    assert art.published == datetime(2026, 11, 26, 12, 30, tzinfo=TZ)


def test_date_joined_to_its_time_by_a_dash() -> None:
    art = extract("dash_time.html")  # "2007-08-20-23:59:59"
    assert art.published == datetime(2007, 8, 20, 23, 59, 59, tzinfo=TZ)


def test_epoch_seconds_in_a_script_variable() -> None:
    art = extract("script_epoch.html")  # publish_time: 1764223200
    assert art.published == datetime.fromtimestamp(1764223200, TZ)


def test_date_only_in_a_title_attribute() -> None:
    art = extract("title_attr_date.html")  # <span class="time" title="2007-08-20 23:59:59">
    assert art.published == datetime(2007, 8, 20, 23, 59, 59, tzinfo=TZ)


def test_a_visible_date_wins_over_the_metadata() -> None:
    markup = (
        '<html><head><meta property="article:published_time" content="2026-03-05T12:00:00+08:00">'
        "<title>标题文字在这里</title></head><body><h1>标题文字在这里</h1>"
        "<div>2026-03-05 10:05 来源：鹤城日报</div><div><p>"
        + "正文内容，说明情况。" * 5
        + "</p></div></body></html>"
    )
    art = extract_article(tree(markup), FIXTURE_NOW, TZ, fallback=False)
    assert art.published == datetime(2026, 3, 5, 10, 5, tzinfo=TZ)


# -- body ----------------------------------------------------------------------------------
def test_body_is_the_article_without_menus_related_links_or_footer() -> None:
    text = extract("news_site.html").text
    assert text is not None
    lines = text.split("\n")
    assert lines[0].startswith("记者从市交通运输局获悉")
    assert lines[-1].endswith("给施工带来的不便敬请谅解。")
    assert len(lines) == 3
    assert not any(word in text for word in ("首页", "相关推荐", "版权所有"))


def test_body_leaves_out_original_title_editor_note_caption_and_credits() -> None:
    text = extract("news_site.html").text or ""
    for left_out in ("原标题", "编者按", "鹤城日报供图", "记者 李四", "责任编辑"):
        assert left_out not in text


def test_body_of_br_separated_paragraphs_without_print_and_close_links() -> None:
    text = extract("gov_site.html").text or ""
    assert text.split("\n")[0].startswith("近日，龙沙区住建局")
    assert text.endswith("确保群众温暖过冬。")
    assert "打印" not in text and "主办单位" not in text


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (["（原标题：旧标题）", "正文第一段。"], ["正文第一段。"]),
        (["划重点：", "要点一。", "要点二。", "正文开始了。"], ["正文开始了。"]),
        (["超大", "大", "小", "下周一，", "道路封闭。"], ["下周一，", "道路封闭。"]),
        (["1/10", "正文。"], ["正文。"]),
        (["正文。", "责任编辑：王某"], ["正文。"]),
        (["正文。", "扬子晚报记者 张楠"], ["正文。"]),
        (["正文。", "（实习生王某对此文亦有贡献）"], ["正文。"]),
        (
            ["正文。", "（应受访者要求，文中人物为化名。）"],
            ["正文。", "（应受访者要求，文中人物为化名。）"],
        ),
        (["正文。", "点击菜单栏【便民服务】解锁更多服务！"], ["正文。"]),
        (["正文。", "-THE END-", "转载请注明出处：鹤城网"], ["正文。"]),
    ],
)
def test_trim_drops_what_news_pages_print_around_the_article(
    lines: list[str], kept: list[str]
) -> None:
    block = tree("<div></div>")
    owners = {"要点一。": tree("<li></li>"), "要点二。": tree("<li></li>")}
    found = [density.Line(owners.get(t, block), t, 0, False) for t in lines]
    assert density.trim(found) == kept


def test_a_short_line_after_an_image_of_its_block_is_a_caption() -> None:
    markup = (
        '<html><body><div class="c"><p>正文第一段，说明情况。正文第一段，说明情况。</p>'
        '<p><img src="a.jpg">施工现场</p><p>正文第二段，继续说明。正文第二段，继续说明。</p>'
        "</div></body></html>"
    )
    text = density.main_text(tree(markup)) or ""
    assert "施工现场" not in text and text.count("正文") == 4


# -- as the spiders use it: fallback for what selectors leave empty -------------------------
def test_fill_missing_keeps_selector_values_and_fills_the_rest() -> None:
    resp = page("news_site.html")
    merged = fill_missing(root(resp), {"title": "选择器的标题", "text": None}, {}, FIXTURE_NOW, TZ)
    assert merged["title"] == "选择器的标题"
    assert merged["text"].startswith("记者从市交通运输局获悉")
    assert merged["published"] == datetime(2026, 3, 5, 10, 20, 31, tzinfo=TZ)


def test_fill_missing_prefers_the_page_text_to_a_feed_summary_but_not_its_title() -> None:
    resp = page("news_site.html")
    entry = {"title": "订阅源标题", "text": "摘要", "published": "Thu, 05 Mar 2026 02:20:00 GMT"}
    merged = fill_missing(root(resp), {}, entry, FIXTURE_NOW, TZ)
    assert merged["title"] == "订阅源标题"
    assert merged["published"] == entry["published"]
    assert merged["text"].startswith("记者从市交通运输局获悉")


def test_fill_missing_does_not_run_for_an_optional_author_alone() -> None:
    values = {"title": "标题", "text": "正文", "published": "2026-03-05 10:00"}
    merged = fill_missing(tree("<html><body>来源：某报</body></html>"), values, {}, FIXTURE_NOW, TZ)
    assert "author" not in merged
