"""The ``when:`` language: what it matches, and the message for each kind of mistake."""

from __future__ import annotations

import pytest

from yuqing.alerts.errors import ExpressionError
from yuqing.alerts.expr import Tags, compile_when

DISTRICTS = ["龙沙区", "建华区"]


@pytest.mark.parametrize(
    ("source", "tags", "expected"),
    [
        ("shutdown and (blanket or licensed)", Tags(shutdown=True, licensed=True), True),
        ("shutdown and (blanket or licensed)", Tags(shutdown=True), False),
        ("shutdown and (blanket or licensed)", Tags(blanket=True, licensed=True), False),
        ('complaint and sector != "other"', Tags(complaint=True, sector="construction"), True),
        ('complaint and sector != "other"', Tags(complaint=True, sector="other"), False),
        # precedence: not > and > or
        ("not shutdown and complaint", Tags(complaint=True), True),
        ("not shutdown and complaint", Tags(shutdown=True, complaint=True), False),
        ("shutdown or blanket and licensed", Tags(shutdown=True), True),
        ("(shutdown or blanket) and licensed", Tags(shutdown=True), False),
        ("not not shutdown", Tags(shutdown=True), True),
        ('district == ""', Tags(), True),
        ('district == "龙沙区"', Tags(district="龙沙区"), True),
        ("district == '建华区'", Tags(district="龙沙区"), False),
        ('"龙沙区" == district', Tags(district="龙沙区"), True),
        ("shutdown == true", Tags(shutdown=True), True),
        ("shutdown != true", Tags(shutdown=True), False),
        ("licensed == false", Tags(), True),
        ("sector == district", Tags(sector="x", district="x"), True),
        ("shutdown AND blanket", Tags(shutdown=True, blanket=True), True),
        ('custom.dept == "信访"', Tags(custom={"dept": "信访"}), True),
        ('custom.dept == "信访"', Tags(custom={"dept": {"label": "信访", "score": 0.9}}), True),
        ('custom.dept != "信访"', Tags(custom={}), True),
        ("custom.urgent", Tags(custom={"urgent": True}), True),
        ("custom.urgent", Tags(custom={"urgent": False}), False),
        ("not custom.urgent", Tags(custom={}), True),
        ("custom.urgent == true", Tags(custom={"urgent": "yes"}), True),
    ],
)
def test_evaluates(source: str, tags: Tags, expected: bool) -> None:
    assert compile_when(source, DISTRICTS)(tags) is expected


def test_unknown_tag_names_the_column_like_the_issue_example() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_when("shutdown and shutdwn")
    assert str(info.value) == "column 14: unknown tag 'shutdwn' (did you mean 'shutdown'?)"
    assert info.value.column == 14


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty expression"),
        ("   ", "empty expression"),
        ("shutdown and", "column 10: expected a condition after 'and'"),
        ("(shutdown or blanket", "column 1: '(' is never closed"),
        ("shutdown)", "column 9: unexpected ')' (no matching '(')"),
        ("()", "column 1: empty parentheses"),
        ("shutdown blanket", "column 10: expected 'and' or 'or' before 'blanket'"),
        ("sector", "column 1: 'sector' is a text tag: compare it, e.g. sector == \"construction\""),
        ('"other"', 'column 1: the text "other" must be compared with a tag'),
        (
            'shutdown == "yes"',
            "column 13: cannot compare boolean tag 'shutdown' with \"yes\" "
            "(write shutdown or not shutdown)",
        ),
        ("sector == true", "column 11: cannot compare text tag 'sector' with true"),
        ('"a" == "b"', "column 1: compares two values; one side must be a tag"),
        (
            'sector == "lifeservices"',
            "column 11: unknown sector 'lifeservices' (did you mean 'life_services'?)",
        ),
        ('district == "龙沙县"', "column 13: unknown district '龙沙县' (not in the gazetteer)"),
        ("sector = 'x'", "column 8: use '==' to compare"),
        ("!shutdown", "column 1: use 'not' to negate, '!=' to compare"),
        ("shutdown && blanket", "column 10: use 'and' instead of '&'"),
        ("shutdown || blanket", "column 10: use 'or' instead of '|'"),
        ('sector == "other', "column 11: unterminated text (missing closing quote)"),
        ("custom", "column 1: custom tags are written custom.NAME"),
        ("shutdown and 3", "column 14: unexpected character '3'"),
        ("sector ==", "column 8: expected a tag or a value after '=='"),
        # wide characters count two columns, as a terminal shows them
        (
            'district == "龙沙区" and shutdwn',
            "column 26: unknown tag 'shutdwn' (did you mean 'shutdown'?)",
        ),
        ("SHUTDOWN", "column 1: unknown tag 'SHUTDOWN' (did you mean 'shutdown'?)"),
        ("sectr == 'other'", "column 1: unknown tag 'sectr' (did you mean 'sector'?)"),
        (
            "foo",
            "column 1: unknown tag 'foo' (known: shutdown, blanket, complaint, licensed, sector, "
            "district, custom.NAME)",
        ),
    ],
)
def test_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_when(source, DISTRICTS)
    assert str(info.value) == message


def test_districts_are_not_checked_without_a_gazetteer() -> None:
    assert compile_when('district == "anywhere"')(Tags(district="anywhere"))
