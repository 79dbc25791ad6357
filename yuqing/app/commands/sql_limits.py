"""``yuqing sql``: the ``--timeout`` deadline carried on from the query into the output.

The query itself is bounded in :mod:`yuqing.store.readonly` (``--limit`` rows, ``--max-bytes``
of values, ``--timeout`` cancels the statement). Formatting the rows stops at the same
deadline, with a note saying so (issue 14: a 200 MB blob ran 14 s past its 5 s timeout and
peaked at 3.6 GB while being formatted).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_BYTES = 10_000_000


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
