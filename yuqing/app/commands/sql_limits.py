"""Bounds on what ``yuqing sql`` prints: a byte limit next to the row limit, and the
``--timeout`` deadline carried on from the query into the output.

The query itself is bounded in :mod:`yuqing.store.readonly` (``--limit`` rows, ``--timeout``
cancels the statement, no SQLite value over ``MAX_VALUE_BYTES``).
Here the rows it returned are cut before their values pass ``--max-bytes``, and formatting
stops at the deadline, each with a note saying so (issue 14: a 200 MB blob ran 14 s past its
5 s timeout and peaked at 3.6 GB while being formatted).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_BYTES = 10_000_000


def value_size(value: object) -> int:
    """Bytes a value takes in a result: text as UTF-8, blobs as they are, others as text."""
    if value is None:
        return 0
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    text = value if isinstance(value, str) else str(value)
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def within_bytes(rows: Sequence[Sequence[Any]], max_bytes: int) -> tuple[list[Sequence[Any]], bool]:
    """The first rows whose values total at most ``max_bytes``, and whether rows were cut."""
    total = 0
    for i, row in enumerate(rows):
        total += sum(value_size(v) for v in row)
        if total > max_bytes:
            return list(rows[:i]), True
    return list(rows), False


@dataclass
class Deadline:
    """``--timeout`` for the output: rows pass through :meth:`rows` until it is reached."""

    at: float
    seconds: float
    stopped_after: int | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def after(cls, seconds: float, started: float | None = None) -> Deadline:
        start = time.monotonic() if started is None else started
        return cls(start + seconds, seconds)

    def rows(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        for n, row in enumerate(rows):
            if time.monotonic() > self.at:
                self.stopped_after = n
                self.notes.append(
                    f"output stopped after {n} rows: the {self.seconds:g} s timeout was reached "
                    "(raise it with --timeout)"
                )
                return
            yield row
