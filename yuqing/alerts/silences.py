"""Silences: matchers, a start and an end, an author and a comment.

A silenced alert is still recorded (its incident is opened and its posts listed) but creates
no notification while the silence is active. A silence needs at least one matcher that does
not match the empty string, so it cannot silence everything by accident.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts.audit import audit
from yuqing.alerts.errors import SilenceError
from yuqing.config.routing import Matcher
from yuqing.store.models import Silence
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActiveSilence:
    id: int
    matchers: tuple[Matcher, ...]
    ends_at: datetime
    author: str
    comment: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        plain = dict(labels)
        return all(m.matches(plain) for m in self.matchers)

    def describe(self) -> str:
        text = f"silence #{self.id} by {self.author} until {self.ends_at.isoformat()}"
        return f"{text}: {self.comment}" if self.comment else text


def parse_matchers(texts: list[str]) -> list[Matcher]:
    if not texts:
        raise SilenceError('a silence needs at least one matcher, e.g. district="龙沙区"')
    out: list[Matcher] = []
    for text in texts:
        try:
            out.append(Matcher.parse(text))
        except ValueError as exc:
            raise SilenceError(str(exc)) from None
    if all(m.matches({}) for m in out):
        raise SilenceError(
            "a silence needs at least one matcher that does not match an empty label "
            f"(got {', '.join(texts)})"
        )
    return out


def create(
    session: Session,
    matchers: list[str],
    *,
    author: str,
    comment: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    duration: timedelta | None = None,
    now: datetime | None = None,
) -> Silence:
    """Create a silence from ``starts_at`` (default now) to ``ends_at`` or for ``duration``."""
    now = now or utcnow()
    parsed = parse_matchers(matchers)
    if not author.strip():
        raise SilenceError("a silence needs an author")
    start = starts_at or now
    if ends_at is None:
        if duration is None:
            raise SilenceError("a silence needs an end time or a duration")
        ends_at = start + duration
    if ends_at <= start:
        raise SilenceError(
            f"a silence must end after it starts (starts {start.isoformat()}, "
            f"ends {ends_at.isoformat()})"
        )
    row = Silence(
        matchers=[str(m) for m in parsed],
        starts_at=start,
        ends_at=ends_at,
        author=author,
        comment=comment,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit(
        session,
        author,
        "silence.create",
        "silence",
        row.id,
        now,
        matchers=row.matchers,
        starts_at=start.isoformat(),
        ends_at=ends_at.isoformat(),
        comment=comment,
    )
    return row


def expire(
    session: Session, silence_id: int, *, actor: str, now: datetime | None = None
) -> Silence:
    """End a silence now (a silence that has not started yet ends before it begins)."""
    now = now or utcnow()
    row = session.get(Silence, silence_id)
    if row is None:
        raise SilenceError(f"no silence #{silence_id}")
    if row.ends_at <= now:
        raise SilenceError(f"silence #{silence_id} already ended at {row.ends_at.isoformat()}")
    row.ends_at = now
    if row.starts_at > now:
        row.starts_at = now
    audit(session, actor, "silence.expire", "silence", row.id, now)
    return row


def list_silences(
    session: Session, now: datetime | None = None, include_expired: bool = False
) -> list[Silence]:
    now = now or utcnow()
    q = select(Silence).order_by(Silence.starts_at, Silence.id)
    if not include_expired:
        q = q.where(Silence.ends_at > now)
    return list(session.execute(q).scalars())


def active(session: Session, now: datetime) -> list[ActiveSilence]:
    """The silences in force at ``now`` (rows with bad matchers are skipped, and logged)."""
    rows = session.execute(
        select(Silence).where(Silence.starts_at <= now, Silence.ends_at > now)
    ).scalars()
    out: list[ActiveSilence] = []
    for row in rows:
        try:
            matchers = tuple(Matcher.parse(m) for m in row.matchers)
        except (ValueError, TypeError):
            log.warning("silence #%s has invalid matchers", row.id)
            continue
        out.append(ActiveSilence(row.id, matchers, row.ends_at, row.author, row.comment))
    return out


def silenced_by(silences: list[ActiveSilence], labels: Mapping[str, str]) -> ActiveSilence | None:
    for s in silences:
        if s.matches(labels):
            return s
    return None
