"""SMS through an HTTP gateway: JSON ``{"phones": [...], "text": "...", "idempotency_key": ...}``
with ``Authorization: Bearer <token>`` (token from ``token_env``). The text is short and built
from labels only, never from crawled post text."""

from __future__ import annotations

from yuqing.alerts.channels.base import IDEMPOTENCY_HEADER, ChannelContext, Outgoing, SendResult
from yuqing.alerts.channels.http import json_bytes, post
from yuqing.config.departments import SmsChannel


class SmsSender:
    def __init__(self, channel: SmsChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx
        self.url = ctx.url(channel.gateway_url, None)
        self.token = ctx.secret(channel.token_env, "gateway token") if channel.token_env else None

    def send(self, out: Outgoing) -> SendResult:
        body = json_bytes(
            {"phones": self.channel.phones, "text": out.rendered.sms, "idempotency_key": out.key}
        )
        headers = {IDEMPOTENCY_HEADER: out.key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = post(
            self.url,
            body,
            headers=headers,
            timeout=self.channel.timeout_seconds,
            settings=self.ctx.settings,
        )
        return SendResult(status_code=response.status_code)
