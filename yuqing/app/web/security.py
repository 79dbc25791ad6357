"""Passwords (argon2), signed session cookies, CSRF tokens, login rate limiting and the
security headers every response carries.

The session lives in one signed cookie (itsdangerous): the user's id, a fingerprint of their
password hash (changing the password or deactivating the user ends every session), the CSRF
token and the time it was issued. Anonymous visitors get a cookie with a CSRF token only, so
the login form is protected too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from yuqing.config import Config
from yuqing.config.settings import read_secret

SESSION_COOKIE = "yuqing_session"
SESSION_MAX_AGE = 12 * 3600  # seconds: a working day, then log in again
MIN_PASSWORD_LENGTH = 10

# argon2id with the library's defaults (RFC 9106 low-memory profile); tests swap in cheaper
# parameters through this module attribute.
HASHER = PasswordHasher()
_dummy: dict[tuple[int, int, int], str] = {}


CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so that the time a login takes
    does not tell whether the username exists."""
    key = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)
    if key not in _dummy:
        _dummy[key] = HASHER.hash(secrets.token_hex(16))
    return _dummy[key]


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing user still costs one argon2 verification."""
    try:
        return HASHER.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why ``password`` is not acceptable (in Chinese, shown to the user), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 个字符"
    if password.strip() != password:
        return "密码首尾不能有空格"
    return None


def secret_key(config: Config) -> str:
    """The key that signs session cookies: ``YUQING_WEB_SECRET_KEY_FILE`` names a file holding
    it; else a random key kept in ``<data_dir>/secrets/web_secret_key`` (created 0600)."""
    value = read_secret("YUQING_WEB_SECRET_KEY")
    if value:
        return value
    path = Path(config.settings.data_dir) / "secrets" / "web_secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker created it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def password_fingerprint(key: str, password_hash: str) -> str:
    """Short keyed digest of a password hash: sessions die when the password changes."""
    mac = hmac.new(key.encode(), password_hash.encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


@dataclass
class Session:
    csrf: str
    user_id: int | None = None
    fingerprint: str = ""
    issued: float = 0.0
    dirty: bool = False  # set the cookie on the response

    def to_data(self) -> dict[str, Any]:
        return {"c": self.csrf, "u": self.user_id, "p": self.fingerprint, "t": self.issued}


class SessionCodec:
    def __init__(self, key: str) -> None:
        self.key = key
        self._serializer = URLSafeTimedSerializer(key, salt="yuqing-web-session")

    def new(self) -> Session:
        return Session(csrf=secrets.token_urlsafe(32), dirty=True)

    def load(self, cookie: str | None) -> Session:
        if not cookie:
            return self.new()
        try:
            data = self._serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return self.new()
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return self.new()
        user_id = data.get("u")
        return Session(
            csrf=data["c"],
            user_id=user_id if isinstance(user_id, int) else None,
            fingerprint=str(data.get("p") or ""),
            issued=float(data.get("t") or 0.0),
        )

    def dump(self, session: Session) -> str:
        return self._serializer.dumps(session.to_data())


def csrf_ok(session: Session, token: object) -> bool:
    return isinstance(token, str) and bool(token) and hmac.compare_digest(session.csrf, token)


@dataclass
class LoginLimiter:
    """At most ``per_user`` failed logins per username and ``per_address`` per client address
    within ``window``; while over either limit, logins are refused without checking."""

    clock: Callable[[], datetime]
    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, username: str, address: str) -> bool:
        now = self.clock()
        with self._lock:
            return (
                len(self._recent("u:" + username.lower(), now)) >= self.per_user
                or len(self._recent("a:" + address, now)) >= self.per_address
            )

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            self._recent("u:" + username.lower(), now).append(now)
            self._recent("a:" + address, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys
                for key in [k for k, q in self._failures.items() if not q]:
                    del self._failures[key]

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop("u:" + username.lower(), None)
