"""Local delivery: one JSON (or .eml) file per notification under ``<data_dir>/outbox/<dept>/``.

The demo's receiver, and a fallback that never loses a message. File names derive from the
idempotency key, so a duplicate send rewrites the same file instead of adding one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from yuqing.alerts.channels.base import ChannelContext, Outgoing, SendResult, TransientError
from yuqing.alerts.channels.http import json_bytes
from yuqing.atomic import write_atomic
from yuqing.config.departments import FileChannel

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(key: str, suffix: str) -> str:
    """A readable, collision-free file name for an idempotency key."""
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', key).strip('_')[:150]}-{digest}{suffix}"


def outbox_dir(ctx: ChannelContext, department_code: str) -> Path:
    return ctx.data_dir / "outbox" / _UNSAFE.sub("_", department_code)


class FileSender:
    def __init__(self, channel: FileChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx

    def send(self, out: Outgoing) -> SendResult:
        folder = outbox_dir(self.ctx, out.department_code)
        if self.channel.format == "eml":
            from yuqing.alerts.channels.email import build_email

            msg = build_email(
                out, self.ctx.settings.smtp.sender, [f"{out.department_code}@localhost"]
            )
            path = folder / file_name(out.key, ".eml")
            data = msg.as_bytes()
        else:
            path = folder / file_name(out.key, ".json")
            record = {
                "idempotency_key": out.key,
                "department": {"code": out.department_code, "name": out.department_name},
                "channel": out.channel_ref,
                "kind": out.kind,
                "subject": out.rendered.subject,
                "text": out.rendered.text,
                "markdown": out.rendered.markdown(),
                "payload": out.payload,
            }
            data = json_bytes(record)
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise TransientError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return SendResult(detail=str(path))
