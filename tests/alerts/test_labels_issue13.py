"""Channels in plain Chinese (issue 13): never ``email#0``. Routes: glossary.describe_route
(tests/app/web/test_plain_chinese.py)."""

from __future__ import annotations

from yuqing.alerts.labels import channel_name


def test_channels_read_as_their_chinese_names() -> None:
    assert [channel_name(c) for c in ("email#0", "webhook#1", "dingtalk#2", "wecom#0")] == [
        "邮件",
        "Webhook",
        "钉钉",
        "企业微信",
    ]
    assert channel_name("feishu#3") == "飞书"
    assert channel_name("pager#0") == "pager"
