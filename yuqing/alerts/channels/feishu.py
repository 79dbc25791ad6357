"""Feishu / Lark custom robot: an interactive card (header + markdown), signed when
``secret_env`` is set.

Signing, as Feishu documents it: ``sign = base64(HMAC-SHA256(key=timestamp + "\\n" + secret,
msg=""))`` with ``timestamp`` in seconds; both go in the JSON body. Feishu answers
``{"code": 0}`` on success (older robots: ``{"StatusCode": 0}``); 9499 and 11232 (rate
limited) are worth retrying, anything else (19021 bad signature, 19024 keyword) is not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from yuqing.alerts.channels.base import (
    IDEMPOTENCY_HEADER,
    ChannelContext,
    Outgoing,
    PermanentError,
    SendResult,
    TransientError,
)
from yuqing.alerts.channels.http import json_bytes, post, response_json
from yuqing.config.departments import FeishuChannel

TRANSIENT_CODES = frozenset({9499, 11232})
MAX_MARKDOWN_BYTES = 20_000
HEADER_COLOURS = {"resolved": "green", "escalation": "red", "repeat": "orange"}
SEVERITY_COLOURS = {"high": "red", "medium": "orange", "normal": "blue"}


def sign(secret: str, timestamp_s: str) -> str:
    mac = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class FeishuSender:
    def __init__(self, channel: FeishuChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx
        self.url = ctx.url(channel.url, channel.url_env)
        self.secret = (
            ctx.secret(channel.secret_env, "signing secret") if channel.secret_env else None
        )

    def send(self, out: Outgoing) -> SendResult:
        severity = str((out.payload.get("incident") or {}).get("severity", ""))
        colour = HEADER_COLOURS.get(out.kind) or SEVERITY_COLOURS.get(severity, "blue")
        data: dict[str, Any] = {
            "msg_type": "interactive",
            "card": {
                "config": {"wide_screen_mode": True},
                "header": {
                    "title": {"tag": "plain_text", "content": out.rendered.subject},
                    "template": colour,
                },
                "elements": [
                    {
                        "tag": "markdown",
                        "content": out.rendered.markdown(
                            heading=False, max_bytes=MAX_MARKDOWN_BYTES
                        ),
                    }
                ],
            },
        }
        if self.secret:
            timestamp = str(int(time.time()))
            data["timestamp"] = timestamp
            data["sign"] = sign(self.secret, timestamp)
        response = post(
            self.url,
            json_bytes(data),
            headers={IDEMPOTENCY_HEADER: out.key},
            timeout=self.channel.timeout_seconds,
            settings=self.ctx.settings,
        )
        answer = response_json(response)
        code = answer.get("code", answer.get("StatusCode", 0))
        if code in (0, "0"):
            return SendResult(status_code=response.status_code, detail="ok")
        reason = answer.get("msg", answer.get("StatusMessage", ""))
        message = f"Feishu robot refused: code {code}: {reason}"
        if isinstance(code, int) and code in TRANSIENT_CODES:
            raise TransientError(message, response.status_code)
        raise PermanentError(message, response.status_code)
