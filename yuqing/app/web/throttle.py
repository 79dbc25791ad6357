"""Login throttling that slows attackers without locking out the legitimate user (issue 14).

State lives in the ``login_throttle`` table, so every web worker sees the same counts.

- Per (username, address): after ``login_free_failures`` wrong passwords, each further one
  delays the next try from that address for that user: ``login_backoff_seconds``, doubling,
  at most ``login_backoff_max_seconds``. The user logging in from anywhere else is not
  affected, and even the attacking address only waits; it is never locked for long.
- Per address (row username ``*``): after ``login_address_limit`` failures from one address,
  that address gets no free failures for any user (the first wrong password starts the
  back-off). A user it has not failed against yet is still checked, so the right password
  of an account not under attack from that address always works.
- Failures older than ``login_window_minutes`` are forgotten; a successful login forgets the
  pair's failures; ``unlock`` (admin page, ``yuqing users unlock``) forgets a user's.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yuqing.config.settings import WebSettings
from yuqing.store.models import LoginThrottle

ANY_USER = "*"  # the per-address row; not a valid username


def user_key(username: str) -> str:
    return username.strip().lower()[:100]


@dataclass
class Failure:
    delay_s: int  # the wait now imposed on this user from this address (0: none)
    address_failures: int
    address_over_limit: bool


class Throttle:
    def __init__(self, settings: WebSettings, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.clock = clock
        self.window = timedelta(minutes=settings.login_window_minutes)

    def wait_s(self, s: Session, username: str, address: str) -> int:
        """Seconds before ``username`` may try again from ``address`` (0: check the password)."""
        row = s.get(LoginThrottle, (user_key(username), address[:64]))
        now = self.clock()
        if row is None or row.blocked_until is None or row.blocked_until <= now:
            return 0
        return max(1, math.ceil((row.blocked_until - now).total_seconds()))

    def _row(self, s: Session, username: str, address: str, now: datetime) -> LoginThrottle:
        key = (username, address)
        row = s.get(LoginThrottle, key)
        if row is None:
            try:
                with s.begin_nested():
                    row = LoginThrottle(
                        username=username,
                        address=address,
                        failures=0,
                        first_failure_at=now,
                        last_failure_at=now,
                    )
                    s.add(row)
            except IntegrityError:  # another worker added it first
                row = s.get(LoginThrottle, key)
                assert row is not None
        elif row.last_failure_at <= now - self.window:
            row.failures, row.first_failure_at, row.blocked_until = 0, now, None
        return row

    def failed(self, s: Session, username: str, address: str) -> Failure:
        now = self.clock()
        address = address[:64]
        self._forget_old(s, now)
        per_address = self._row(s, ANY_USER, address, now)
        per_address.failures += 1
        per_address.last_failure_at = now
        pair = self._row(s, user_key(username), address, now)
        pair.failures += 1
        pair.last_failure_at = now
        over_limit = per_address.failures >= self.settings.login_address_limit
        free = 0 if over_limit else self.settings.login_free_failures
        delay = 0
        if pair.failures > free:
            doublings = min(pair.failures - free - 1, 30)
            delay = min(
                self.settings.login_backoff_max_seconds,
                self.settings.login_backoff_seconds * 2**doublings,
            )
            pair.blocked_until = now + timedelta(seconds=delay)
        return Failure(delay, per_address.failures, over_limit)

    def succeeded(self, s: Session, username: str, address: str) -> None:
        s.execute(
            delete(LoginThrottle).where(
                LoginThrottle.username == user_key(username),
                LoginThrottle.address == address[:64],
            )
        )

    def unlock(self, s: Session, username: str) -> int:
        """Forget every failure against ``username`` (from every address): rows removed."""
        result = s.execute(
            delete(LoginThrottle).where(LoginThrottle.username == user_key(username))
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def throttled_users(self, s: Session) -> dict[str, datetime]:
        """Usernames now delayed from some address -> until when (the latest)."""
        now = self.clock()
        rows = s.execute(
            select(LoginThrottle.username, LoginThrottle.blocked_until).where(
                LoginThrottle.username != ANY_USER, LoginThrottle.blocked_until > now
            )
        )
        out: dict[str, datetime] = {}
        for name, until in rows:
            if until is not None and (name not in out or until > out[name]):
                out[name] = until
        return out

    def _forget_old(self, s: Session, now: datetime) -> None:
        horizon = now - self.window - timedelta(seconds=self.settings.login_backoff_max_seconds)
        s.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < horizon))
