"""Logging, configured once per process (CLI, scheduler, crawl subprocesses)."""

from __future__ import annotations

import logging
import sys

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured = False


def configure(level: str = "INFO") -> None:
    """Send yuqing's logs to stderr at ``level``; quiet the chattiest libraries."""
    global _configured
    root = logging.getLogger()
    if not _configured:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
        _configured = True
    root.setLevel(level.upper())
    for noisy in ("jieba", "alembic.runtime", "urllib3", "apscheduler.executors"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
