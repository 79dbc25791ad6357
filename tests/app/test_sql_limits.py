"""Issue 14: `yuqing sql` output bounds (byte limit, timeout over the output)."""

from __future__ import annotations

import math

from yuqing.app.commands.sql_limits import Deadline, value_size, within_bytes


def test_value_sizes_count_bytes() -> None:
    assert [value_size(v) for v in (None, b"abc", "abc", "一刀切", 12345, 1.5)] == [
        0,
        3,
        3,
        9,
        5,
        3,
    ]


def test_rows_are_cut_before_the_one_that_passes_the_limit() -> None:
    rows = [("a" * 4,), ("b" * 4,), ("c" * 4,)]
    assert within_bytes(rows, 8) == (rows[:2], True)
    assert within_bytes(rows, 12) == (rows, False)
    assert within_bytes([(b"x" * 100,)], 10) == ([], True)


def test_the_output_stops_at_the_deadline_with_a_note() -> None:
    passed = Deadline(at=-math.inf, seconds=5)
    assert list(passed.rows([(1,), (2,)])) == []
    assert passed.notes == [
        "output stopped after 0 rows: the 5 s timeout was reached (raise it with --timeout)"
    ]
    open_ended = Deadline(at=math.inf, seconds=5)
    assert list(open_ended.rows([(1,), (2,)])) == [(1,), (2,)] and open_ended.notes == []
