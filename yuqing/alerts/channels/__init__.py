"""Delivery channels, one small module each; :func:`build_sender` picks one by config type."""

from __future__ import annotations

from importlib import import_module

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


# Channel type → (module, class) of its sender, imported only when a channel of that type is
# used (each sender's own dependencies stay unloaded otherwise).
SENDERS: dict[str, tuple[str, str]] = {
    "email": ("email", "EmailSender"),
    "webhook": ("webhook", "WebhookSender"),
    "dingtalk": ("dingtalk", "DingTalkSender"),
    "wecom": ("wecom", "WeComSender"),
    "feishu": ("feishu", "FeishuSender"),
    "sms": ("sms", "SmsSender"),
    "apprise": ("apprise_url", "AppriseSender"),
    "file": ("file", "FileSender"),
}


def build_sender(channel: Channel, ctx: ChannelContext) -> Sender:
    """The sender for ``channel``; raises :class:`ChannelConfigError` if it cannot be built."""
    found = SENDERS.get(channel.type)
    if found is None:
        raise ChannelConfigError(f"{ctx.where}: unknown channel type {channel.type!r}")
    module = import_module(f"{__name__}.{found[0]}")
    sender: Sender = getattr(module, found[1])(channel, ctx)
    return sender


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
