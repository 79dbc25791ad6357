"""Channels and routes in plain Chinese (issue 13): never ``email#0`` or ``routes[21]``."""

from __future__ import annotations

from yuqing.alerts.labels import channel_name, route_description
from yuqing.config import Config


def test_channels_read_as_their_chinese_names() -> None:
    assert [channel_name(c) for c in ("email#0", "webhook#1", "dingtalk#2", "wecom#0")] == [
        "邮件",
        "Webhook",
        "钉钉",
        "企业微信",
    ]
    assert channel_name("feishu#3") == "飞书"
    assert channel_name("pager#0") == "pager"


def test_routes_read_as_their_description_or_their_matchers(config: Config) -> None:
    assert route_description(config, "routes[2]") == "一刀切式关停交市生态环境局督察整改办"
    assert route_description(config, "routes[4]") == "龙沙区"  # district="龙沙区", no description
    assert route_description(config, "root") == "默认路由"
    assert route_description(config, "routes[999]") == "默认路由"  # config changed since


def test_matchers_in_chinese(config: Config) -> None:
    from yuqing.config.routing import Route

    routing = config.routing.model_copy(
        update={
            "routes": [
                Route(matchers=['severity="high"', 'sector!="other"', 'district=""']),
                Route(matchers=['rule=~"blanket-.*"']),
            ]
        }
    )
    cfg = config.model_copy(update={"routing": routing})
    assert route_description(cfg, "routes[0]") == "紧急、行业不为其他、未识别区县"
    assert route_description(cfg, "routes[1]") == "预警类型符合“blanket-.*”"
