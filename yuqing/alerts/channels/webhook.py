"""Generic JSON webhook: the payload plus the rendered text, HMAC-SHA256 signed.

Headers: ``X-Yuqing-Idempotency-Key`` (drop duplicates by it), ``X-Yuqing-Timestamp`` (Unix
seconds) and, when the channel names a ``secret_env``, ``X-Yuqing-Signature: sha256=<hex>``
where hex = HMAC-SHA256(secret, timestamp + "." + body). Signing the timestamp with the body
lets a receiver reject replays (check the timestamp is recent, then the signature).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from yuqing.alerts.channels.base import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelContext,
    Outgoing,
    SendResult,
)
from yuqing.alerts.channels.http import post
from yuqing.config.departments import WebhookChannel


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """For receivers: does ``header`` sign ``body`` at ``timestamp``?"""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


class WebhookSender:
    def __init__(self, channel: WebhookChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx
        self.url = ctx.url(channel.url, None)
        self.secret = ctx.secret(channel.secret_env, "signing secret", required=False)
        if channel.secret_env and self.secret is None:
            ctx.secret(channel.secret_env, "signing secret")  # raises: named but unset

    def send(self, out: Outgoing) -> SendResult:
        body = out.rendered.data_bytes
        timestamp = str(int(time.time()))
        headers = {IDEMPOTENCY_HEADER: out.key, TIMESTAMP_HEADER: timestamp}
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, timestamp, body)
        response = post(
            self.url,
            body,
            headers=headers,
            timeout=self.channel.timeout_seconds,
            settings=self.ctx.settings,
        )
        return SendResult(status_code=response.status_code)
