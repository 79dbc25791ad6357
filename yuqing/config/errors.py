"""Configuration errors: each names the file, the path inside it and the reason."""

from __future__ import annotations

from yuqing.errors import YuqingError


class ConfigError(YuqingError):
    """A configuration problem, formatted like ``config/routing.yaml: routes[2].receiver: why``."""

    exit_code = 2

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file = file
        self.path = path
        self.reason = reason
        parts = [p for p in (file, path) if p]
        super().__init__(": ".join([*parts, reason]))


class ConfigErrors(ConfigError):
    """Several configuration problems at once; the message lists the first and counts the rest."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.file, first.path, first.reason)
        if len(errors) > 1:
            self.args = (
                f"{first} (and {len(errors) - 1} more problem(s); run `yuqing config check`)",
            )

    def lines(self) -> list[str]:
        return [str(ConfigError(e.file, e.path, e.reason)) for e in self.errors]
