"""Delivery channels, one small module each; :func:`build_sender` picks one by config type."""

from __future__ import annotations

from yuqing.alerts.channels.base import (
    ChannelConfigError,
    ChannelContext,
    DeliveryError,
    Outgoing,
    PermanentError,
    Sender,
    SendResult,
    TransientError,
)
from yuqing.config.departments import Channel

# Per-minute limits the services impose on one robot (a channel may set a lower one).
DEFAULT_RATE_LIMITS: dict[str, int] = {"dingtalk": 20, "wecom": 20, "feishu": 100}


def rate_limit(channel: Channel) -> int | None:
    return channel.rate_limit_per_minute or DEFAULT_RATE_LIMITS.get(channel.type)


def build_sender(channel: Channel, ctx: ChannelContext) -> Sender:
    """The sender for ``channel``; raises :class:`ChannelConfigError` if it cannot be built."""
    if channel.type == "email":
        from yuqing.alerts.channels.email import EmailSender

        return EmailSender(channel, ctx)
    if channel.type == "webhook":
        from yuqing.alerts.channels.webhook import WebhookSender

        return WebhookSender(channel, ctx)
    if channel.type == "dingtalk":
        from yuqing.alerts.channels.dingtalk import DingTalkSender

        return DingTalkSender(channel, ctx)
    if channel.type == "wecom":
        from yuqing.alerts.channels.wecom import WeComSender

        return WeComSender(channel, ctx)
    if channel.type == "feishu":
        from yuqing.alerts.channels.feishu import FeishuSender

        return FeishuSender(channel, ctx)
    if channel.type == "sms":
        from yuqing.alerts.channels.sms import SmsSender

        return SmsSender(channel, ctx)
    if channel.type == "apprise":
        from yuqing.alerts.channels.apprise_url import AppriseSender

        return AppriseSender(channel, ctx)
    if channel.type == "file":
        from yuqing.alerts.channels.file import FileSender

        return FileSender(channel, ctx)
    raise ChannelConfigError(f"{ctx.where}: unknown channel type {channel.type!r}")


__all__ = [
    "DEFAULT_RATE_LIMITS",
    "ChannelConfigError",
    "ChannelContext",
    "DeliveryError",
    "Outgoing",
    "PermanentError",
    "SendResult",
    "Sender",
    "TransientError",
    "build_sender",
    "rate_limit",
]
