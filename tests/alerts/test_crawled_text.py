"""One implementation of evidence highlighting and link checks for crawled text, shared by the
alert messages, the digests and the web pages (yuqing.alerts.crawled_text)."""

from __future__ import annotations

import pytest

from yuqing.alerts.crawled_text import evidence_terms, link_url, safe_url, split_evidence


def test_split_evidence_longest_first_adjacent_merged_literal() -> None:
    assert split_evidence("龙沙区烧烤店被一刀切全部关停了", ["关停", "全部关停", "一刀切"]) == [
        ("龙沙区烧烤店被", False),
        ("一刀切全部关停", True),
        ("了", False),
    ]
    assert split_evidence("a.b", [".*"]) == [("a.b", False)]
    assert split_evidence("", ["x"]) == [] and split_evidence("abc", []) == [("abc", False)]


def test_single_characters_are_not_highlighted() -> None:
    """The web highlighted one-character cues (every 鹅 in a post lit up); messages did not."""
    assert split_evidence("鹅被拆了，鹅场没了", ["鹅", "拆了"]) == [
        ("鹅被", False),
        ("拆了", True),
        ("，鹅场没了", False),
    ]


def test_evidence_terms_walks_any_nesting_with_limits() -> None:
    evidence = {
        "blanket": ["一刀切", ["全部关停", 0.9]],
        "district": " 龙沙区 ",
        "features": {"shutdown": [["停", 1.2]]},
        "note": "这是一整句很长很长的话，不是证据词",
    }
    assert evidence_terms(evidence, 10, 10) == ["一刀切", "全部关停", "龙沙区", "停"]
    assert evidence_terms(evidence, 2, 10) == ["一刀切", "全部关停"]
    assert evidence_terms(evidence, 10, 20)[-1] == "这是一整句很长很长的话，不是证据词"
    assert evidence_terms(None, 5, 5) == [] and evidence_terms(["a", "a"], 5, 5) == ["a"]


@pytest.mark.parametrize(
    ("url", "shown", "linked"),
    [
        ("https://bbs.example.cn/t/1?a=b", "https://bbs.example.cn/t/1?a=b", None),
        (" http://example.cn ", "http://example.cn", None),
        ("https://a.cn/x (1)", "https://a.cn/x (1)", "https://a.cn/x%20%281%29"),
        ("https://a.cn/帖子", "https://a.cn/帖子", "https://a.cn/%E5%B8%96%E5%AD%90"),
        ("https://a.cn/%E5%B8%96", "https://a.cn/%E5%B8%96", None),  # escapes kept
        ('https://a.cn/[x]<y>"z"', 'https://a.cn/[x]<y>"z"', "https://a.cn/%5Bx%5D%3Cy%3E%22z%22"),
        ("javascript:alert(1)", None, None),
        ("JAVASCRIPT:alert(1)", None, None),
        ("data:text/html,<script>", None, None),
        ("//evil.example/x", None, None),
        ("https://", None, None),
        ("https://ok.example/\nset-cookie", None, None),
        ("https://ok.example/\ttab", None, None),
        ("https://ok.example/\x1besc", None, None),
        ("java\nscript:alert(1)", None, None),
        (None, None, None),
        (42, None, None),
    ],
)
def test_safe_url_and_link_url(url: object, shown: str | None, linked: str | None) -> None:
    assert safe_url(url) == shown  # the web: the link as crawled (HTML escapes it)
    assert link_url(url) == (linked or shown)  # messages: also safe in markdown and plain text
