"""Crawler errors: each ``str()`` is one line for the user."""

from __future__ import annotations

from yuqing.errors import YuqingError


class CrawlError(YuqingError):
    """A crawl could not be started or run (unknown source, missing demo URL, timeout...)."""

    exit_code = 4


class SourceDisabled(CrawlError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"source {name!r} is disabled in sources.yaml (enable it, or pass --force)"
        )


class SourceLocked(CrawlError):
    """Another crawl of the source holds its lock (a fleet crawl dispatched again while the
    first one still runs on a node whose Scrapyd died, issue 15)."""

    def __init__(self, name: str, holder: str, age_seconds: float) -> None:
        self.holder = holder
        super().__init__(
            f"another crawl of {name!r} is running ({holder}, last heartbeat "
            f"{age_seconds:.0f}s ago); this one is refused"
        )
