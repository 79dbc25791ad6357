"""Any service Apprise knows (Telegram, Bark, ServerChan, Matrix, …) by its Apprise URL.

For the channels the issue names we use our own thin senders (see README.md: Apprise cannot
carry a per-message idempotency key, does not report status codes or tell transient from
permanent failures, and its WeCom/Feishu plugins lack markdown/signing). This channel is the
escape hatch for everything else; every failure Apprise reports counts as transient.
"""

from __future__ import annotations

import apprise

from yuqing.alerts.channels.base import (
    ChannelConfigError,
    ChannelContext,
    Outgoing,
    SendResult,
    TransientError,
)
from yuqing.config.departments import AppriseChannel


class AppriseSender:
    def __init__(self, channel: AppriseChannel, ctx: ChannelContext) -> None:
        url = channel.url if channel.url is not None else ctx.secret(channel.url_env, "Apprise URL")
        self.apprise = apprise.Apprise()
        if not url or not self.apprise.add(url):
            raise ChannelConfigError(f"{ctx.where}: not a URL Apprise understands")

    def send(self, out: Outgoing) -> SendResult:
        ok = self.apprise.notify(
            body=out.rendered.markdown(heading=False),
            title=out.rendered.subject,
            body_format=apprise.NotifyFormat.MARKDOWN,
        )
        if not ok:
            raise TransientError("Apprise reported a failed delivery (see the log for why)")
        return SendResult(detail="ok")
