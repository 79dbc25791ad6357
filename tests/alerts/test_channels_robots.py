"""DingTalk, WeCom, Feishu, SMS gateway, file and Apprise channels against local receivers.

Signatures are re-computed here from the services' documented algorithms, independently of
the senders' code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.alerts.delivery_support import (
    add_incident,
    add_notification,
    department,
    payload,
    statuses,
    with_departments,
)
from yuqing.alerts.outbox import deliver_due
from yuqing.alerts.receivers import WebhookReceiver
from yuqing.config import Config
from yuqing.store.session import Database

SECRET = "SECabcdef0123456789"


@pytest.fixture
def robot(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "robot.jsonl") as r:
        yield r


def _hostile() -> dict[str, Any]:
    data = payload()
    data["posts"][0]["title"] = "[点这里](http://evil.example) **紧急**"
    return data


def _send(
    config: Config,
    db: Database,
    clock: Any,
    channel: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> tuple[str, Any]:
    cfg = with_departments(config, department("lsq", [channel], name="龙沙区人民政府"))
    inc = add_incident(db, clock())
    key = add_notification(
        db,
        clock(),
        incident_id=inc,
        department="lsq",
        channel=f"{channel['type']}#0",
        data=data or _hostile(),
    )
    return key, deliver_due(cfg, db, clock())


def test_dingtalk_markdown_signed_as_documented(
    config: Config,
    sqlite_database: Database,
    robot: WebhookReceiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DING_SECRET", SECRET)
    url = robot.url + "robot/send?access_token=tok123"
    key, result = _send(
        config,
        sqlite_database,
        clock,
        {"type": "dingtalk", "url": url, "secret_env": "DING_SECRET"},
    )
    assert result.sent == 1
    [rec] = robot.records()
    assert rec["path"] == "/robot/send"
    query = rec["query"]
    assert query["access_token"] == "tok123"  # the URL's own query is kept
    timestamp = query["timestamp"]
    assert len(timestamp) == 13  # milliseconds
    string_to_sign = f"{timestamp}\n{SECRET}".encode()
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), string_to_sign, hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected
    body = rec["body"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("【一刀切关停预警】")
    text = body["markdown"]["text"]
    assert "](http://evil" not in text and "**紧急**" not in text
    assert "[在舆情工作台中查看并处置](http://127.0.0.1:8000/incidents/12)" in text
    assert rec["headers"]["x-yuqing-idempotency-key"] == key


def test_dingtalk_too_fast_is_retried_and_bad_keyword_is_dead(
    config: Config, sqlite_database: Database, robot: WebhookReceiver, clock: Any
) -> None:
    robot.respond_next(200, {"errcode": 130101, "errmsg": "send too fast"})
    key, result = _send(config, sqlite_database, clock, {"type": "dingtalk", "url": robot.url})
    assert result.retried == 1 and "130101" in result.errors[0]
    robot.respond_next(200, {"errcode": 310000, "errmsg": "keywords not in content"})
    cfg = with_departments(config, department("lsq", [{"type": "dingtalk", "url": robot.url}]))
    result = deliver_due(cfg, sqlite_database, clock.advance(hours=1))
    assert result.dead == 1 and "310000" in result.errors[0]
    assert statuses(sqlite_database) == {key: "dead"}


def test_wecom_markdown_fits_the_4096_byte_limit(
    config: Config, sqlite_database: Database, robot: WebhookReceiver, clock: Any
) -> None:
    data = payload()
    data["posts"] = [dict(data["posts"][0], id=i, snippet="很长的内容" * 40) for i in range(5)]
    _key, result = _send(
        config,
        sqlite_database,
        clock,
        {"type": "wecom", "url": robot.url + "cgi-bin/webhook/send?key=k"},
        data,
    )
    assert result.sent == 1
    body = robot.records()[0]["body"]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert 0 < len(content.encode()) <= 4096
    assert "龙沙区" in content


def test_wecom_rate_limit_errcode_is_transient(
    config: Config, sqlite_database: Database, robot: WebhookReceiver, clock: Any
) -> None:
    robot.respond_next(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    _key, result = _send(config, sqlite_database, clock, {"type": "wecom", "url": robot.url})
    assert result.retried == 1


def test_feishu_card_signed_as_documented(
    config: Config,
    sqlite_database: Database,
    robot: WebhookReceiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FEISHU_HOOK", robot.url + "open-apis/bot/v2/hook/abc")
    monkeypatch.setenv("FEISHU_SECRET", SECRET)
    _key, result = _send(
        config,
        sqlite_database,
        clock,
        {"type": "feishu", "url_env": "FEISHU_HOOK", "secret_env": "FEISHU_SECRET"},
    )
    assert result.sent == 1
    body = robot.records()[0]["body"]
    timestamp = body["timestamp"]
    assert len(timestamp) == 10  # seconds
    expected = base64.b64encode(
        hmac.new(f"{timestamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "interactive"
    card = body["card"]
    assert card["header"]["title"]["content"].startswith("【一刀切关停预警】")
    assert card["header"]["template"] == "red"
    assert "](http://evil" not in card["elements"][0]["content"]


def test_feishu_signature_failure_is_dead(
    config: Config, sqlite_database: Database, robot: WebhookReceiver, clock: Any
) -> None:
    robot.respond_next(200, {"code": 19021, "msg": "sign match fail"})
    _key, result = _send(config, sqlite_database, clock, {"type": "feishu", "url": robot.url})
    assert result.dead == 1 and "19021" in result.errors[0]


def test_sms_gateway_gets_phones_short_text_and_token(
    config: Config,
    sqlite_database: Database,
    robot: WebhookReceiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMS_TOKEN", "tok-9")
    key, result = _send(
        config,
        sqlite_database,
        clock,
        {
            "type": "sms",
            "gateway_url": robot.url,
            "phones": ["13800000000"],
            "token_env": "SMS_TOKEN",
        },
    )
    assert result.sent == 1
    rec = robot.records()[0]
    assert rec["headers"]["authorization"] == "Bearer tok-9"
    assert rec["body"]["phones"] == ["13800000000"]
    assert rec["body"]["idempotency_key"] == key
    assert len(rec["body"]["text"]) <= 140 and "evil" not in rec["body"]["text"]
    assert "tok-9" not in robot.log_path.read_text(encoding="utf-8")


def test_file_channel_writes_json_per_department(
    config: Config, sqlite_database: Database, clock: Any
) -> None:
    key, result = _send(config, sqlite_database, clock, {"type": "file"})
    assert result.sent == 1
    [path] = list((config.settings.data_dir / "outbox" / "lsq").glob("*.json"))
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["idempotency_key"] == key
    assert record["department"] == {"code": "lsq", "name": "龙沙区人民政府"}
    assert record["subject"].startswith("【一刀切关停预警】")
    assert record["payload"]["incident"]["id"] == record["payload"]["incident"]["id"]


def test_file_channel_eml_format(config: Config, sqlite_database: Database, clock: Any) -> None:
    _key, result = _send(config, sqlite_database, clock, {"type": "file", "format": "eml"})
    assert result.sent == 1
    assert list((config.settings.data_dir / "outbox" / "lsq").glob("*.eml"))


def test_apprise_channel_posts_through_its_json_plugin(
    config: Config, sqlite_database: Database, robot: WebhookReceiver, clock: Any
) -> None:
    url = robot.url.replace("http://", "json://")
    _key, result = _send(config, sqlite_database, clock, {"type": "apprise", "url": url})
    assert result.sent == 1
    body = robot.records()[0]["body"]
    assert body["title"].startswith("【一刀切关停预警】")


def test_apprise_channel_with_a_bad_url_is_dead(
    config: Config, sqlite_database: Database, clock: Any
) -> None:
    _key, result = _send(
        config, sqlite_database, clock, {"type": "apprise", "url": "nosuchscheme://x"}
    )
    assert result.dead == 1 and "Apprise" in result.errors[0]


def test_robot_url_from_missing_env_is_a_config_error(
    config: Config, sqlite_database: Database, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_HOOK", raising=False)
    _key, result = _send(
        config, sqlite_database, clock, {"type": "dingtalk", "url_env": "NO_SUCH_HOOK"}
    )
    assert result.dead == 1
    assert "department lsq, channel dingtalk#0" in result.errors[0]
    assert "NO_SUCH_HOOK" in result.errors[0]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "wecom"}, "give exactly one of 'url' and 'url_env', got neither"),
        (
            {"type": "feishu", "url": "http://x", "url_env": "HOOK"},
            "got both (url_env 'HOOK')",
        ),
        (
            {"type": "dingtalk", "url": "http://x", "timeout_seconds": 600},
            "less than or equal to 60",
        ),
    ],
)
def test_robot_channel_config_errors_name_the_field(spec: dict[str, Any], message: str) -> None:
    from pydantic import ValidationError

    from tests.alerts.delivery_support import CHANNEL

    with pytest.raises(ValidationError) as err:
        CHANNEL.validate_python(spec)
    assert message in str(err.value)
