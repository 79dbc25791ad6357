"""Issue 14: `yuqing sql` stops its output at the --timeout deadline."""

from __future__ import annotations

import math

from yuqing.app.commands.sql_limits import Deadline


def test_the_output_stops_at_the_deadline_with_a_note() -> None:
    passed = Deadline(at=-math.inf, seconds=5)
    assert list(passed.rows([(1,), (2,)])) == []
    assert passed.notes == [
        "output stopped after 0 rows: the 5 s timeout was reached (raise it with --timeout)"
    ]
    open_ended = Deadline(at=math.inf, seconds=5)
    assert list(open_ended.rows([(1,), (2,)])) == [(1,), (2,)] and open_ended.notes == []
