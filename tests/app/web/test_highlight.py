"""Evidence highlighting and link checks: pure functions, no markup produced."""

from __future__ import annotations

import pytest

from yuqing.app.web.highlight import (
    evidence_by_tag,
    highlight_terms,
    safe_url,
    snippet_parts,
    split_evidence,
)

EVIDENCE = {
    "shutdown": ["关停"],
    "blanket": ["一刀切", "全部关停"],
    "complaint": [],
    "sector": ["烧烤"],
    "district": "龙沙区",
    "features": {"shutdown": ["停"], "sector": ["烧烤店"]},
}


def test_highlight_terms_skip_model_features() -> None:
    assert highlight_terms(EVIDENCE) == ["一刀切", "全部关停", "关停", "烧烤", "龙沙区"]
    assert highlight_terms(None) == [] and highlight_terms(["关停", ["拆除", 0.5]]) == [
        "关停",
        "拆除",
    ]
    # issue 13: only what reads in the post
    assert highlight_terms(EVIDENCE, "烧烤店全部关停") == ["全部关停", "关停", "烧烤"]


def test_issue_13_evidence_by_tag_lists_matched_terms_never_model_features() -> None:
    evidence = {**EVIDENCE, "context": ["关停:imposed/business"], "city": "齐齐哈尔"}
    assert evidence_by_tag(evidence) == [
        ("blanket", ["一刀切", "全部关停"]),
        ("shutdown", ["关停"]),
        ("sector", ["烧烤"]),
        ("district", ["龙沙区"]),
    ]
    assert evidence_by_tag(evidence, "龙沙区的店") == [("district", ["龙沙区"])]


def test_split_evidence_longest_first_and_merged() -> None:
    parts = split_evidence("龙沙区烧烤店被一刀切全部关停了", highlight_terms(EVIDENCE))
    assert parts == [("龙沙区烧烤", True), ("店被", False), ("一刀切全部关停", True), ("了", False)]
    assert split_evidence("", ["x"]) == [] and split_evidence("abc", []) == [("abc", False)]
    assert split_evidence("a.b", [".*"]) == [("a.b", False)]  # terms are literal, not regex


def test_pages_and_messages_highlight_alike() -> None:
    """One implementation (yuqing.alerts.crawled_text): a one-character cue is not lit up in
    the pages either (it was, while e-mails and digests skipped it)."""
    from yuqing.alerts import crawled_text, messages

    assert split_evidence is crawled_text.split_evidence is messages.split_evidence
    assert safe_url is crawled_text.safe_url
    terms = highlight_terms({"sector": ["鹅"], "shutdown": ["拆了"]})
    assert split_evidence("鹅被拆了", terms) == [("鹅被", False), ("拆了", True)]


def test_snippet_is_a_window_around_the_first_evidence() -> None:
    text = "甲" * 300 + "一刀切" + "乙" * 300
    parts = snippet_parts(text, ["一刀切"], width=60)
    assert parts[0][0].startswith("…") and parts[-1][0].endswith("…")
    assert ("一刀切", True) in parts and sum(len(p) for p, _ in parts) == 62
    # issue 13: the pages' snippet is the one of yuqing.alerts.evidence, ~80 characters
    from yuqing.alerts import evidence
    from yuqing.app.web.highlight import snippet

    assert snippet is evidence.snippet
    assert sum(len(p) for p, _ in snippet(text, ["一刀切"])) == evidence.SNIPPET_CHARS + 2


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://bbs.example.cn/t/1?a=b", True),
        ("http://example.cn", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil.example/x", False),
        ("https://", False),
        ("https://ok.example/\nset-cookie", False),
        ("https://ok.example/a b(1)", True),  # shown as crawled: the template escapes it
        (None, False),
    ],
)
def test_safe_url(url: object, ok: bool) -> None:
    assert safe_url(url) == (url.strip() if ok and isinstance(url, str) else None)
