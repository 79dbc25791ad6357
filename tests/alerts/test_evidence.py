"""Issue 13 item 3: evidence an officer trusts — matched terms only, and one snippet."""

from __future__ import annotations

from yuqing.alerts.evidence import SNIPPET_CHARS, matched_terms, snippet, snippet_text

TEXT = "龙沙区烧烤一条街昨天被一律关停，说是先停再说，我们那边投诉也没人管。"
# the shape the tagger stores (yuqing.nlp.tagger._record), with model features as they were
# listed as 证据 before issue 13
STORED = {
    "shutdown": ["一律关停", "关停"],
    "blanket": ["一律关停", "先停再说", "一条街"],
    "complaint": ["投诉"],
    "licensed": [],
    "sector": ["烧烤"],
    "district": "龙沙区",
    "city": "齐齐哈尔",
    "context": ["关停:imposed/business"],
    "features": {"shutdown": ["23", "34", "45"], "complaint": ["们那", "是这", "说是"]},
}


def test_issue_13_evidence_is_matched_terms_never_model_features() -> None:
    terms = matched_terms(STORED, TEXT)
    assert terms == ["一律关停", "先停再说", "一条街", "投诉", "烧烤", "龙沙区"]
    for fragment in ("23", "34", "45", "们那", "是这", "说是", "齐齐哈尔"):
        assert fragment not in terms
    assert not any(":" in t or "/" in t for t in terms)  # no internal context descriptions


def test_issue_13_context_triggers_count_by_their_term_in_shutdown_posts_only() -> None:
    text = "厂子被勒令停产整顿了"
    stored = {"shutdown": ["停产整顿"], "context": ["勒令:imposed/business"]}
    assert matched_terms(stored, text) == ["停产整顿", "勒令"]
    demanded = {"shutdown": [], "complaint": ["恳请"], "context": ["取缔:demanded/business"]}
    assert matched_terms(demanded, "恳请相关部门取缔该旅馆") == ["恳请"]


def test_issue_13_terms_must_read_in_the_post_and_be_words() -> None:
    stored = {"complaint": ["投诉", "举报", "1", "23", "a", "x" * 30], "rule": ["k:ctx.imposed"]}
    # 举报 is not in the text (older or foreign evidence), numbers and one letter are no words
    assert matched_terms(stored, "我要投诉 23 次") == ["投诉"]
    # without the text, the shape alone decides; [term, weight] pairs count by their term
    assert matched_terms({"licensed": [["证照齐全", 0.9]], "features": ["们那"]}) == ["证照齐全"]
    assert matched_terms(None) == [] and matched_terms(["关停", ["拆除", 0.5]]) == ["关停", "拆除"]


def test_issue_13_extra_terms_and_limits() -> None:
    terms = matched_terms({"shutdown": ["关停"]}, TEXT, extra=["先停再说", "不在文中"], limit=8)
    assert terms == ["关停", "先停再说"]  # the stored evidence first, then the extra terms
    assert matched_terms(STORED, TEXT, limit=2) == ["一律关停", "先停再说"]
    # highlighting keeps the shorter terms too (关停 elsewhere in the text)
    assert "关停" in matched_terms(STORED, TEXT, nested=True)


def test_issue_13_snippet_is_centred_on_the_first_matched_term() -> None:
    text = "甲" * 300 + "一律关停" + "乙" * 300
    got = snippet_text(text, ["一律关停"])
    assert got.startswith("…") and got.endswith("…")
    assert len(got) == SNIPPET_CHARS + 2
    at = got.index("一律关停")
    assert abs(at - (len(got) - at - 4)) <= 2  # as many characters before as after
    parts = snippet(text, ["一律关停"])
    assert [p for p, mark in parts if mark] == ["一律关停"]
    assert "".join(p for p, _ in parts) == got
    # the most telling term wins over an earlier one
    text2 = "投诉" + "丙" * 200 + "一律关停" + "丁" * 200
    assert "一律关停" in snippet_text(text2, ["一律关停", "投诉"])


def test_issue_13_snippet_of_short_empty_and_unmatched_posts() -> None:
    assert snippet_text("短文本\n两行", ["x"]) == "短文本 两行"
    assert snippet_text("", ["关停"], title="标题里有关停") == "标题里有关停"
    assert snippet("", []) == []
    long = "戊" * 200
    assert snippet_text(long, ["关停"]) == "戊" * SNIPPET_CHARS + "…"
    assert all(not mark for _p, mark in snippet(long, ["关停"]))
