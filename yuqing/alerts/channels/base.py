"""What every channel shares: the sender protocol, results, and the two kinds of failure.

A sender gets one :class:`Outgoing` notification and either returns a :class:`SendResult`
(delivered) or raises :class:`TransientError` (worth retrying: timeouts, 5xx, 429, a robot's
"too fast") or :class:`PermanentError` (retrying cannot help: 4xx, a rejected signature, a
missing secret). The outbox decides what to do next; senders never retry on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from yuqing.config.settings import Settings, read_secret
from yuqing.errors import YuqingError

if TYPE_CHECKING:
    from yuqing.alerts.messages import Rendered

IDEMPOTENCY_HEADER = "X-Yuqing-Idempotency-Key"
TIMESTAMP_HEADER = "X-Yuqing-Timestamp"
SIGNATURE_HEADER = "X-Yuqing-Signature"


class DeliveryError(YuqingError):
    """A notification could not be delivered; ``status_code`` is the receiver's, if any."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class TransientError(DeliveryError):
    """Retry later (with backoff)."""


class PermanentError(DeliveryError):
    """Do not retry: the notification goes to ``dead``."""


class ChannelConfigError(PermanentError):
    """The channel cannot be built (a missing secret, an unknown channel reference)."""


@dataclass(frozen=True)
class Outgoing:
    """One outbox row, ready to send: its key, where it goes, and its rendered forms."""

    key: str
    department_code: str
    department_name: str
    channel_ref: str  # "<type>#<index>"
    kind: str
    payload: dict[str, Any]
    rendered: Rendered


@dataclass(frozen=True)
class SendResult:
    status_code: int | None = None
    detail: str = ""


class Sender(Protocol):
    def send(self, out: Outgoing) -> SendResult: ...


@dataclass(frozen=True)
class ChannelContext:
    """What senders may read besides their own channel config."""

    settings: Settings
    smtp_password: str | None = None
    env: Mapping[str, str] | None = None  # None: os.environ
    where: str = ""  # "department lsq, channel dingtalk#0", for error messages
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def secret(self, var: str | None, what: str, required: bool = True) -> str | None:
        """The value of the environment variable ``var`` (or of the file ``var_FILE`` names)."""
        if var is None:
            if required:
                raise ChannelConfigError(f"{self.where}: no {what} configured")
            return None
        try:
            value = read_secret(var, self.env)
        except YuqingError as exc:
            raise ChannelConfigError(f"{self.where}: {exc}") from exc
        if value is None and required:
            raise ChannelConfigError(
                f"{self.where}: environment variable {var} ({what}) is not set"
            )
        return value

    def url(self, url: str | None, url_env: str | None) -> str:
        """A robot's URL, inline or from the environment (it usually carries a token)."""
        value = url if url is not None else self.secret(url_env, "webhook URL")
        assert value is not None
        if not value.startswith(("http://", "https://")):
            raise ChannelConfigError(f"{self.where}: invalid URL (expected http:// or https://)")
        return value
