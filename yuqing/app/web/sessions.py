"""Server-side web sessions (issue 14).

The cookie carries one random token, signed. Logged in, the token's SHA-256 names a row of
``web_sessions`` (user, created, last seen, revoked, address, user agent); a session is valid
while that row is not revoked, was used within ``session_idle_minutes`` and is younger than
``session_max_hours``. Logout, a password change and deactivating the user revoke rows, so a
cookie copied before them opens nothing afterwards. A token without a row is an anonymous
visitor: it still keys the CSRF token of the login form. The CSRF token is an HMAC of the
session token, so it changes whenever the session does (login rotates the token).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from yuqing.config.settings import WebSettings
from yuqing.store.models import User, WebSession

SESSION_COOKIE = "yuqing_session"
TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often
KEEP_ENDED = timedelta(days=7)  # ended sessions stay this long past the maximum age (forensics)


def session_id(token: str) -> str:
    """The row id of a token: its SHA-256 (reading the table does not give out sessions)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class BrowserSession:
    """What the request's cookie says: the token, its CSRF token, and (once checked against
    the database by :func:`yuqing.app.web.deps.load_user`) the user."""

    token: str
    csrf: str
    user_id: int | None = None
    dirty: bool = False  # set the cookie on the response


class SessionCodec:
    """Signs and reads the cookie; makes tokens and their CSRF tokens."""

    def __init__(self, key: str, max_age_s: int) -> None:
        self.key = key
        self.max_age_s = max_age_s
        self._serializer = URLSafeTimedSerializer(key, salt="yuqing-web-session-2")

    def csrf_for(self, token: str) -> str:
        mac = hmac.new(self.key.encode(), b"csrf:" + token.encode(), hashlib.sha256)
        return mac.hexdigest()

    def new(self) -> BrowserSession:
        token = secrets.token_urlsafe(32)
        return BrowserSession(token=token, csrf=self.csrf_for(token), dirty=True)

    def load(self, cookie: str | None) -> BrowserSession:
        if not cookie:
            return self.new()
        try:
            token = self._serializer.loads(cookie, max_age=self.max_age_s)
        except BadSignature:
            return self.new()
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return self.new()
        return BrowserSession(token=token, csrf=self.csrf_for(token))

    def dump(self, session: BrowserSession) -> str:
        return self._serializer.dumps(session.token)


class SessionStore:
    """The ``web_sessions`` rows: start, check, revoke."""

    def __init__(self, settings: WebSettings) -> None:
        self.idle = timedelta(minutes=settings.session_idle_minutes)
        self.max_age = timedelta(hours=settings.session_max_hours)

    def start(
        self,
        s: Session,
        codec: SessionCodec,
        user_id: int,
        now: datetime,
        address: str = "",
        user_agent: str = "",
    ) -> BrowserSession:
        """A new token and row for ``user_id`` (login: never the token the browser had);
        rows of sessions ended long ago are deleted on the way."""
        s.execute(delete(WebSession).where(WebSession.created_at < now - self.max_age - KEEP_ENDED))
        browser = codec.new()
        browser.user_id = user_id
        s.add(
            WebSession(
                id=session_id(browser.token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                address=address[:64],
                user_agent=user_agent[:200],
            )
        )
        return browser

    def user_of(self, s: Session, token: str, now: datetime) -> int | None:
        """The user of a valid session; an idle or expired one is revoked on the way."""
        return self.session_user(s, token, now)[0]

    def session_user(self, s: Session, token: str, now: datetime) -> tuple[int | None, User | None]:
        """:meth:`user_of` and the user's row, read in the same query (one round trip less
        on every page, issue 15); the row is None when the session is not valid."""
        found = s.execute(
            select(WebSession, User)
            .outerjoin(User, User.id == WebSession.user_id)
            .where(WebSession.id == session_id(token))
        ).first()
        if found is None:
            return None, None
        row, user = found
        if row.revoked_at is not None:
            return None, None
        if now - row.created_at > self.max_age:
            self._revoke(row, now, "expired")
            return None, None
        if now - row.last_seen_at > self.idle:
            self._revoke(row, now, "idle")
            return None, None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return row.user_id, user

    @staticmethod
    def _revoke(row: WebSession, now: datetime, reason: str) -> None:
        row.revoked_at = now
        row.revoked_reason = reason

    def revoke(self, s: Session, token: str, now: datetime, reason: str) -> bool:
        row = s.get(WebSession, session_id(token))
        if row is None or row.revoked_at is not None:
            return False
        self._revoke(row, now, reason)
        return True


def revoke_user_sessions(s: Session, user_id: int, now: datetime, reason: str) -> int:
    """End every session of a user (password change, deactivation): the number ended."""
    result = s.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)
