"""DingTalk custom robot: markdown message, signed ("加签") when ``secret_env`` is set.

Signing, as DingTalk documents it: ``sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=timestamp + "\\n" + secret)))`` with ``timestamp`` in milliseconds, both passed as query
parameters. DingTalk answers HTTP 200 with ``errcode``: 0 is success, 130101 ("send too fast",
the 20-a-minute limit) is worth retrying, anything else (bad signature, keyword or IP
mismatch) is not.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from yuqing.alerts.channels.base import (
    IDEMPOTENCY_HEADER,
    ChannelContext,
    Outgoing,
    PermanentError,
    SendResult,
    TransientError,
)
from yuqing.alerts.channels.http import json_bytes, post, response_json
from yuqing.config.departments import DingTalkChannel

TRANSIENT_ERRCODES = frozenset({-1, 130101})
MAX_MARKDOWN_BYTES = 18_000  # DingTalk accepts about 20,000 bytes


def sign(secret: str, timestamp_ms: str) -> str:
    """The documented signature (base64; the HTTP client URL-encodes it as a query value)."""
    mac = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class DingTalkSender:
    def __init__(self, channel: DingTalkChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx
        self.url = ctx.url(channel.url, channel.url_env)
        self.secret = (
            ctx.secret(channel.secret_env, "signing secret") if channel.secret_env else None
        )

    def send(self, out: Outgoing) -> SendResult:
        body = json_bytes(
            {
                "msgtype": "markdown",
                "markdown": {
                    "title": out.rendered.subject,
                    "text": out.rendered.markdown(max_bytes=MAX_MARKDOWN_BYTES),
                },
            }
        )
        params = None
        if self.secret:
            timestamp = str(round(time.time() * 1000))
            params = {"timestamp": timestamp, "sign": sign(self.secret, timestamp)}
        response = post(
            self.url,
            body,
            headers={IDEMPOTENCY_HEADER: out.key},
            timeout=self.channel.timeout_seconds,
            settings=self.ctx.settings,
            params=params,
        )
        return check_errcode(response_json(response), "DingTalk", response.status_code)


def check_errcode(
    answer: dict[str, object],
    service: str,
    status: int,
    transient: frozenset[int] = TRANSIENT_ERRCODES,
) -> SendResult:
    """Robots (DingTalk, WeCom) answer ``{"errcode": 0, "errmsg": "ok"}`` on success."""
    code = answer.get("errcode", 0)
    if code in (0, "0"):
        return SendResult(status_code=status, detail="ok")
    message = f"{service} robot refused: errcode {code}: {answer.get('errmsg', '')}"
    if isinstance(code, int) and code in transient:
        raise TransientError(message, status)
    raise PermanentError(
        message + f" (answer {json.dumps(answer, ensure_ascii=False)[:200]})", status
    )
