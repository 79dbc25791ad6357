"""Errors of the application layer (the scheduler process and the commands)."""

from __future__ import annotations

from yuqing.errors import YuqingError


class AppError(YuqingError):
    """A problem with running a command (not with the config or the database)."""


class SchedulerLocked(AppError):
    """Another scheduler holds this database's process lock."""

    exit_code = 4

    def __init__(self, holder: str, age_seconds: float) -> None:
        self.holder = holder
        super().__init__(
            f"another `yuqing run` is using this database ({holder}, last heartbeat "
            f"{age_seconds:.0f}s ago); stop it first"
        )
