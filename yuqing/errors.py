"""The root of every exception yuqing raises on purpose.

Each package keeps its own exceptions in its ``errors`` module, all derived from
:class:`YuqingError`. The CLI turns any of them into one line on stderr and the
exception's ``exit_code``; anything else is a bug and shows a traceback with ``--debug``.
"""

from __future__ import annotations


class YuqingError(Exception):
    """Base class: ``str(err)`` is the one-line message shown to the user."""

    exit_code: int = 1


class OutputFileError(YuqingError):
    """An output file that cannot be written (its directory is missing or read-only, the disk
    is full ...): the message names the file and the reason."""

    exit_code = 73  # EX_CANTCREAT
