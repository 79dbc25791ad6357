"""The analysts' keyword language: syntax, semantics, evidence and error messages."""

from __future__ import annotations

import pytest

from yuqing.nlp.errors import KeywordSyntaxError
from yuqing.nlp.rules import compile_expression


@pytest.mark.parametrize(
    ("expr", "text", "expected"),
    [
        ("一刀切 AND (餐饮 OR 烧烤)", "全市烧烤店一刀切关停", True),
        ("一刀切 AND (餐饮 OR 烧烤)", "全市洗车店一刀切关停", False),
        ("一刀切 齐齐哈尔", "齐齐哈尔又搞一刀切", True),  # implicit AND
        ("一刀切 齐齐哈尔", "又搞一刀切", False),
        ("关停 NOT 学校", "学校关停", False),
        ("关停 NOT 学校", "工厂关停", True),
        ("NOT 学校", "工厂关停", True),
        ('"不搞 一刀切"', "我们不搞 一刀切", True),  # phrases keep their spaces
        ('"不搞 一刀切"', "我们不搞一刀切", False),
        ("a OR b AND c", "a", True),  # AND binds tighter than OR
        ("(a OR b) AND c", "a", False),
        ("NOT a OR b", "b a", True),  # NOT binds tighter than OR
        ("一刀切 NEAR/5 关停", "一刀切式的关停", True),
        ("一刀切 NEAR/2 关停", "一刀切式的全部关停", False),
        ("关停 NEAR/3 一刀切", "一刀切，关停", True),  # either order
        ("一刀切 NEAR/3 (关停 OR 停产)", "一刀切停产", True),
        ("(全部 NEAR/2 关停) NEAR/10 餐饮", "全部都关停了的餐饮店", True),
        ("PM2.5", "ｐｍ2.5超标", True),  # case- and width-insensitive
        ("关停", "餐館被關停", True),  # Traditional text
        ("關停", "餐馆被关停", True),  # Traditional term
        ("“一刀切”", "反对一刀切", True),  # Chinese quotes
    ],
)
def test_matching(expr: str, text: str, expected: bool) -> None:
    assert compile_expression(expr).matches(text) is expected


def test_matches_already_normalized_text() -> None:
    expr = compile_expression("pm2.5")
    assert expr.matches("pm2.5 超标", normalized=True)
    assert not expr.matches("PM2.5 超标", normalized=True)  # caller promised normalized text


def test_terms_are_the_positive_terms_normalized() -> None:
    expr = compile_expression('一刀切 AND (餐饮 OR "烧烤 摊") NOT 學校', name="r")
    assert expr.terms == ["一刀切", "餐饮", "烧烤 摊"]
    assert compile_expression("PM2.5").terms == ["pm2.5"]


def test_evidence_is_spelled_as_in_the_text_in_order() -> None:
    expr = compile_expression("(关停 OR 一刀切) AND PM2.5")
    assert expr.evidence("ＰＭ2.5超标，一刀切關停") == ["ＰＭ2.5", "一刀切", "關停"]
    assert compile_expression("关停 AND 学校").evidence("关停") == []  # no match: no evidence


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (
            "一刀切 AND (餐饮 OR 烧烤",
            "rules[3].keywords: column 12: expected ')' after '(餐饮 OR 烧烤'",
        ),
        ("一刀切 AND", "rules[3].keywords: column 8: expected a term after 'AND'"),
        ("OR 关停", "rules[3].keywords: column 1: expected a term before 'OR'"),
        ("关停)", "rules[3].keywords: column 5: unexpected ')'"),
        ("()", "rules[3].keywords: column 1: empty parentheses"),
        ('关停 "一刀', "rules[3].keywords: column 6: unterminated quoted phrase"),
        ("", "rules[3].keywords: empty expression"),
        ("   ", "rules[3].keywords: empty expression"),
        (
            "关停 NEAR 一刀切",
            "rules[3].keywords: column 6: NEAR needs a distance in characters, e.g. NEAR/5",
        ),
        (
            "a NEAR/3 (b AND c)",
            "rules[3].keywords: column 3: "
            "NEAR/3 joins terms, phrases or (A OR B) groups, not AND/NOT",
        ),
        ("关停 NOT", "rules[3].keywords: column 6: expected a term after 'NOT'"),
    ],
)
def test_syntax_errors_name_the_rule_and_the_column(expr: str, message: str) -> None:
    with pytest.raises(KeywordSyntaxError) as info:
        compile_expression(expr, name="rules[3].keywords")
    assert str(info.value) == message
    assert info.value.name == "rules[3].keywords"


def test_error_without_a_name_starts_with_the_column() -> None:
    with pytest.raises(KeywordSyntaxError, match=r"^column 4: expected a term after 'OR'$"):
        compile_expression("ab OR")


def test_lower_case_operators_are_terms() -> None:
    # Regression: only capitals are operators, so English words in posts stay searchable.
    expr = compile_expression("rock and roll")
    assert expr.terms == ["rock", "and", "roll"]
    assert not expr.matches("rock roll")


def test_near_finds_a_pair_at_the_end_of_a_huge_text() -> None:
    # Regression: an occurrence cap once made NEAR miss pairs late in long texts.
    text = "一刀切" * 20000 + "关停"
    assert compile_expression("一刀切 NEAR/3 关停").matches(text)
    assert not compile_expression("一刀切 NEAR/3 停产").matches(text)
    assert compile_expression("(一刀切 NEAR/0 一刀切) NEAR/1 关停").matches(text)
