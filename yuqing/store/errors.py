"""Store errors."""

from __future__ import annotations

from yuqing.errors import YuqingError


class StoreError(YuqingError):
    """A database problem the user can act on."""

    exit_code = 3


class SchemaOutOfDate(StoreError):
    def __init__(self, url: str, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"database {url} is at schema revision {current or 'none'}, code expects {head}; "
            "run `yuqing db upgrade`"
        )


class DatabaseUnavailable(StoreError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot open database {url}: {reason}")


class LockHeld(StoreError):
    """A ``process_locks`` row is held by a live process."""

    def __init__(self, name: str, holder: str, age_seconds: float) -> None:
        self.name, self.holder, self.age_seconds = name, holder, age_seconds
        super().__init__(f"lock {name} is held by {holder} (last heartbeat {age_seconds:.0f}s ago)")
