"""Passwords (argon2), the cookie-signing key, CSRF checks and the security headers every
response carries. Sessions: :mod:`yuqing.app.web.sessions`; login throttling:
:mod:`yuqing.app.web.throttle`."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yuqing.app.web.sessions import BrowserSession
from yuqing.atomic import create_once
from yuqing.config import Config
from yuqing.config.settings import read_secret

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
    if not path.exists():  # whole or not at all: another worker never reads it half-made
        create_once(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


def csrf_ok(session: BrowserSession, token: object) -> bool:
    return isinstance(token, str) and bool(token) and hmac.compare_digest(session.csrf, token)
