"""WeCom (企业微信) group robot: markdown message (at most 4096 bytes, so long ones lose posts).

WeCom answers HTTP 200 with ``errcode``: 45009 (over the 20-a-minute limit) and -1 (busy) are
worth retrying; anything else (93000 invalid key, 40058 bad content) is not.
"""

from __future__ import annotations

from yuqing.alerts.channels.base import IDEMPOTENCY_HEADER, ChannelContext, Outgoing, SendResult
from yuqing.alerts.channels.dingtalk import check_errcode
from yuqing.alerts.channels.http import json_bytes, post, response_json
from yuqing.config.departments import WeComChannel

TRANSIENT_ERRCODES = frozenset({-1, 45009})
MAX_MARKDOWN_BYTES = 4096


class WeComSender:
    def __init__(self, channel: WeComChannel, ctx: ChannelContext) -> None:
        self.channel = channel
        self.ctx = ctx
        self.url = ctx.url(channel.url, channel.url_env)

    def send(self, out: Outgoing) -> SendResult:
        body = json_bytes(
            {
                "msgtype": "markdown",
                "markdown": {"content": out.rendered.markdown(max_bytes=MAX_MARKDOWN_BYTES)},
            }
        )
        response = post(
            self.url,
            body,
            headers={IDEMPOTENCY_HEADER: out.key},
            timeout=self.channel.timeout_seconds,
            settings=self.ctx.settings,
        )
        return check_errcode(
            response_json(response), "WeCom", response.status_code, TRANSIENT_ERRCODES
        )
