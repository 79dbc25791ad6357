"""The delivery worker: send due outbox rows (``notifications``) through their channels.

Guarantees (see notes/alerts-contract.md):

* Claiming is one conditional UPDATE (``pending`` → ``sending`` with a lease), committed before
  sending, so two workers never both claim a row. A worker that dies mid-send leaves the row
  ``sending``; once the lease expires another worker reclaims it and sends again — at most one
  duplicate per crash, which receivers drop by the idempotency key.
* After a success the row is ``sent`` and is never selected again.
* Every attempt is a ``delivery_attempts`` row. Transient failures retry with exponential
  backoff and jitter, up to the channel's ``max_attempts``; permanent ones go ``dead``.
* Per-channel rate limits (DingTalk and WeCom robots: 20 a minute) are counted from the
  attempts table, so they hold across runs, restarts and workers.
* One broken channel never blocks the others: a transient failure holds back only that
  channel's rows (until the failed row's retry time); a broken config kills only its rows.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update

from yuqing.alerts.channels import (
    ChannelConfigError,
    ChannelContext,
    DeliveryError,
    Outgoing,
    PermanentError,
    Sender,
    TransientError,
    build_sender,
    rate_limit,
)
from yuqing.alerts.messages import Rendered
from yuqing.config import Config
from yuqing.config.departments import Channel, Department
from yuqing.store.models import DeliveryAttempt, Notification
from yuqing.store.session import Database
from yuqing.store.types import utcnow

log = logging.getLogger(__name__)

ChannelKey = tuple[str, str]  # (department code, "<type>#<index>")
MAX_ERROR = 2000


@dataclass(frozen=True)
class DeliveryPolicy:
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=2)  # longer than any send can take
    rate_window: timedelta = timedelta(minutes=1)

    def backoff(self, attempt: int, rng: random.Random) -> timedelta:
        """Delay after the ``attempt``-th failure: doubling, capped, with "equal jitter"."""
        full = min(self.backoff_cap, self.backoff_base * (2 ** max(attempt - 1, 0)))
        return full * (0.5 + rng.random() / 2)


@dataclass
class DeliveryResult:
    sent: int = 0
    retried: int = 0  # transient failure, rescheduled
    dead: int = 0
    deferred: int = 0  # held back: rate limit, or its channel failed earlier in this run
    reclaimed: int = 0  # leases of crashed workers taken over
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.dead

    def __str__(self) -> str:
        text = (
            f"sent {self.sent}, retried {self.retried}, dead {self.dead}, deferred {self.deferred}"
        )
        return text + (f", reclaimed {self.reclaimed}" if self.reclaimed else "")


@dataclass
class _Row:
    id: int
    key: str
    department_code: str
    channel: str
    kind: str
    status: str
    attempts: int
    payload: dict[str, Any]

    @classmethod
    def of(cls, n: Notification) -> _Row:
        return cls(
            n.id,
            n.idempotency_key,
            n.department_code,
            n.channel,
            n.kind,
            n.status,
            n.attempts,
            dict(n.payload or {}),
        )


def _due(now: datetime) -> Any:
    return or_(
        and_(
            Notification.status == "pending",
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        ),
        and_(Notification.status == "sending", Notification.lease_until < now),
    )


class _Run:
    """One call of :func:`deliver_due`: caches senders and rate-limit windows per channel."""

    def __init__(
        self,
        config: Config,
        db: Database,
        now: datetime,
        policy: DeliveryPolicy,
        rng: random.Random,
        env: Mapping[str, str] | None,
    ) -> None:
        self.config, self.db, self.now = config, db, now
        self.policy, self.rng, self.env = policy, rng, env
        self.result = DeliveryResult()
        self.senders: dict[ChannelKey, tuple[Channel, Sender] | ChannelConfigError] = {}
        self.windows: dict[ChannelKey, list[datetime]] = {}
        self.blocked: set[ChannelKey] = set()
        self.names = {d.code: d.name for d in config.departments.departments}

    # -- channels -------------------------------------------------------------------------

    def sender(self, key: ChannelKey) -> tuple[Channel, Sender] | ChannelConfigError:
        if key not in self.senders:
            try:
                self.senders[key] = self._build(key)
            except ChannelConfigError as exc:
                log.error("outbox: %s", exc)
                self.senders[key] = exc
        return self.senders[key]

    def _build(self, key: ChannelKey) -> tuple[Channel, Sender]:
        code, ref = key
        where = f"department {code}, channel {ref}"
        try:
            dept: Department = self.config.department(code)
        except KeyError:
            raise ChannelConfigError(f"{where}: department is not in departments.yaml") from None
        kind, _, index = ref.partition("#")
        if not index.isdigit() or int(index) >= len(dept.channels):
            raise ChannelConfigError(f"{where}: no such channel in departments.yaml")
        channel = dept.channels[int(index)]
        if channel.type != kind:
            raise ChannelConfigError(
                f"{where}: departments.yaml has a {channel.type} channel there"
            )
        if not channel.enabled:
            raise ChannelConfigError(f"{where}: channel is disabled in departments.yaml")
        ctx = ChannelContext(
            settings=self.config.settings,
            smtp_password=(
                self.config.secrets.smtp_password.get_secret_value()
                if self.config.secrets.smtp_password
                else None
            ),
            env=self.env,
            where=where,
        )
        return channel, build_sender(channel, ctx)

    # -- rate limits ----------------------------------------------------------------------

    def rate_limited_until(self, key: ChannelKey, channel: Channel) -> datetime | None:
        """When the channel may send again, or None if it may send now."""
        limit = rate_limit(channel)
        if limit is None:
            return None
        since = self.now - self.policy.rate_window
        if key not in self.windows:
            with self.db.session() as s:
                self.windows[key] = list(
                    s.scalars(
                        select(DeliveryAttempt.attempted_at)
                        .join(Notification, Notification.id == DeliveryAttempt.notification_id)
                        .where(
                            Notification.department_code == key[0],
                            Notification.channel == key[1],
                            DeliveryAttempt.attempted_at > since,
                        )
                        .order_by(DeliveryAttempt.attempted_at)
                    )
                )
        times = sorted(t for t in self.windows[key] if t > since)
        if len(times) < limit:
            return None
        return times[len(times) - limit] + self.policy.rate_window

    def hold_back(self, key: ChannelKey, until: datetime) -> None:
        """Move the channel's other due rows to ``until`` (not an attempt: no count, no log)."""
        self.blocked.add(key)
        with self.db.session() as s:
            res = s.execute(
                update(Notification)
                .where(
                    Notification.department_code == key[0],
                    Notification.channel == key[1],
                    Notification.status == "pending",
                    or_(
                        Notification.next_attempt_at.is_(None),
                        Notification.next_attempt_at < until,
                    ),
                )
                .values(next_attempt_at=until)
                .execution_options(synchronize_session=False)
            )
            self.result.deferred += int(getattr(res, "rowcount", 0) or 0)

    # -- one row --------------------------------------------------------------------------

    def process(self, row: _Row) -> None:
        key = (row.department_code, row.channel)
        if key in self.blocked:
            return
        built = self.sender(key)
        if not isinstance(built, ChannelConfigError):
            until = self.rate_limited_until(key, built[0])
            if until is not None:
                log.info("outbox: %s %s rate limited until %s", *key, until.isoformat())
                self.hold_back(key, until)
                return
        lease = self.now + self.policy.lease
        attempts = self.claim(row, lease)
        if attempts is None:
            return
        max_attempts = self._max_attempts(built)
        if row.status == "sending" and row.attempts >= max_attempts:
            self.finish(row, lease, attempts, "dead", "gave up: the last attempt's worker died")
            return
        error: DeliveryError
        started = time.monotonic()
        try:
            if isinstance(built, ChannelConfigError):
                raise built
            out = Outgoing(
                key=row.key,
                department_code=row.department_code,
                department_name=self.names.get(row.department_code, row.department_code),
                channel_ref=row.channel,
                kind=row.kind,
                payload=row.payload,
                rendered=Rendered(row.payload, self.config.settings.timezone, self.names),
            )
            sent = built[1].send(out)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug in a sender or renderer: retry, but say what it was
            log.exception("outbox: %s failed unexpectedly", row.key)
            error = TransientError(f"internal error: {type(exc).__name__}: {exc}")
        else:
            ms = (time.monotonic() - started) * 1000
            self.record(row.id, True, None, sent.status_code, ms)
            self.finish(row, lease, attempts, "sent", None)
            self.windows.setdefault(key, []).append(self.now)
            log.info("outbox: sent %s %s", row.key, sent.detail)
            return
        ms = (time.monotonic() - started) * 1000
        self.record(row.id, False, str(error)[:MAX_ERROR], error.status_code, ms)
        if not isinstance(built, ChannelConfigError):
            self.windows.setdefault(key, []).append(self.now)
        if isinstance(error, PermanentError) or attempts >= max_attempts:
            why = (
                str(error) if isinstance(error, PermanentError) else f"{attempts} attempts: {error}"
            )
            log.error("outbox: %s is dead: %s", row.key, why)
            self.finish(row, lease, attempts, "dead", why)
            self.result.errors.append(f"{row.key}: {why}")
            return
        retry_at = self.now + self.policy.backoff(attempts, self.rng)
        log.warning(
            "outbox: %s failed (attempt %d), retry at %s: %s",
            row.key,
            attempts,
            retry_at.isoformat(),
            error,
        )
        self.finish(row, lease, attempts, "pending", str(error), retry_at)
        self.result.errors.append(f"{row.key}: {error}")
        self.hold_back(key, retry_at)

    def _max_attempts(self, built: tuple[Channel, Sender] | ChannelConfigError) -> int:
        return 1 if isinstance(built, ChannelConfigError) else built[0].max_attempts

    def claim(self, row: _Row, lease: datetime) -> int | None:
        """Take the row (one conditional UPDATE); its attempt number, or None if taken."""
        with self.db.session() as s:
            res = s.execute(
                update(Notification)
                .where(Notification.id == row.id, _due(self.now))
                .values(status="sending", lease_until=lease, attempts=Notification.attempts + 1)
                .execution_options(synchronize_session=False)
            )
            if getattr(res, "rowcount", 0) != 1:
                return None
            if row.status == "sending":
                self.result.reclaimed += 1
                log.warning("outbox: %s: reclaiming an expired lease (a worker died?)", row.key)
                s.add(
                    DeliveryAttempt(
                        notification_id=row.id,
                        attempted_at=self.now,
                        ok=False,
                        error="outcome unknown: the worker sending it stopped before recording",
                    )
                )
        return row.attempts + 1

    def record(self, nid: int, ok: bool, error: str | None, status: int | None, ms: float) -> None:
        with self.db.session() as s:
            s.add(
                DeliveryAttempt(
                    notification_id=nid,
                    attempted_at=self.now,
                    ok=ok,
                    error=error,
                    status_code=status,
                    duration_ms=round(ms, 1),
                )
            )

    def finish(
        self,
        row: _Row,
        lease: datetime,
        attempts: int,
        status: str,
        error: str | None,
        retry_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status, "lease_until": None, "last_error": error}
        if status == "sent":
            # Delivered is the truth, whoever holds the lease now: never send this key again.
            cond = Notification.status != "sent"
            values.update(sent_at=self.now, next_attempt_at=None, last_error=None)
        else:
            cond = and_(Notification.status == "sending", Notification.lease_until == lease)
            values["next_attempt_at"] = retry_at
        with self.db.session() as s:
            res = s.execute(
                update(Notification)
                .where(Notification.id == row.id, cond)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if getattr(res, "rowcount", 0) != 1:
            log.warning("outbox: %s: lease lost before recording %s", row.key, status)
            return
        if status == "sent":
            self.result.sent += 1
        elif status == "dead":
            self.result.dead += 1
        else:
            self.result.retried += 1


def deliver_due(
    config: Config,
    db: Database,
    now: datetime | None = None,
    limit: int = 100,
    *,
    policy: DeliveryPolicy | None = None,
    rng: random.Random | None = None,
    should_stop: Callable[[], bool] | None = None,
    env: Mapping[str, str] | None = None,
) -> DeliveryResult:
    """Send up to ``limit`` due notifications; safe to run in several processes at once."""
    now = now or utcnow()
    run = _Run(config, db, now, policy or DeliveryPolicy(), rng or random.Random(), env)
    seen: set[int] = set()
    while run.result.attempted < limit:
        if should_stop is not None and should_stop():
            break
        with db.session() as s:
            rows = [
                _Row.of(n)
                for n in s.scalars(
                    select(Notification)
                    .where(_due(now), Notification.id.not_in(seen))
                    .order_by(
                        Notification.next_attempt_at.is_not(None),
                        Notification.next_attempt_at,
                        Notification.id,
                    )
                    .limit(limit)
                )
            ]
        if not rows:
            break
        for row in rows:
            seen.add(row.id)
            if run.result.attempted >= limit or (should_stop is not None and should_stop()):
                break
            run.process(row)
    if run.result.attempted or run.result.deferred:
        log.info("outbox: %s", run.result)
    return run.result
