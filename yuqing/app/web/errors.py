"""Web and user-management errors: an English message for the CLI and logs, Chinese for pages."""

from __future__ import annotations

from yuqing.errors import YuqingError


class WebError(YuqingError):
    exit_code = 2

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


class UserError(WebError):
    """A user account that cannot be created or changed as asked."""
