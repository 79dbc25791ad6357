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
