"""The generic JSON webhook against a real local receiver: signature, key, failures."""

from __future__ import annotations

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
from yuqing.alerts.receivers import WebhookReceiver, read_log
from yuqing.config import Config
from yuqing.store.session import Database

SECRET = "s3cr3t-签名"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(tmp_path / "hook.jsonl", secret=SECRET) as r:
        yield r


def test_webhook_is_signed_and_carries_the_idempotency_key(
    config: Config,
    sqlite_database: Database,
    receiver: WebhookReceiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    cfg = with_departments(
        config,
        department("lsq", [{"type": "webhook", "url": receiver.url, "secret_env": "HOOK_SECRET"}]),
    )
    inc = add_incident(sqlite_database, clock())
    data = payload()
    data["posts"][0]["title"] = "[钓鱼](http://evil.example) <script>x</script>"
    key = add_notification(
        sqlite_database, clock(), incident_id=inc, department="lsq", channel="webhook#0", data=data
    )
    assert deliver_due(cfg, sqlite_database, clock()).sent == 1
    [record] = receiver.records()
    headers = record["headers"]
    assert headers["x-yuqing-idempotency-key"] == key
    # Verify independently, as documented: HMAC-SHA256(secret, timestamp + "." + body).
    body = json.dumps(
        record["body"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    expected = hmac.new(
        SECRET.encode(), headers["x-yuqing-timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["x-yuqing-signature"] == f"sha256={expected}"
    assert record["signature_ok"] is True
    assert record["body"]["idempotency_key"] == key
    assert record["body"]["incident"]["sector_name"] == "生活服务业"
    assert record["body"]["message"]["subject"].startswith("【一刀切关停预警】")
    # The JSONL log has the record but not the full headers.
    [logged] = read_log(receiver.log_path)
    assert logged["idempotency_key"] == key and "headers" not in logged


def test_receiver_rejects_a_tampered_body(receiver: WebhookReceiver) -> None:
    """Guards the receiver's verification: a signature over other bytes is flagged."""
    import httpx

    from yuqing.alerts.channels.webhook import signature

    good = signature(SECRET, "1700000000", b'{"a":1}')
    httpx.post(
        receiver.url,
        content=b'{"a":2}',
        headers={"X-Yuqing-Timestamp": "1700000000", "X-Yuqing-Signature": good},
    )
    assert receiver.records()[-1]["signature_ok"] is False


def test_http_500_is_retried_and_4xx_is_dead(
    config: Config, sqlite_database: Database, receiver: WebhookReceiver, clock: Any
) -> None:
    cfg = with_departments(config, department("lsq", [{"type": "webhook", "url": receiver.url}]))
    inc = add_incident(sqlite_database, clock())
    key = add_notification(
        sqlite_database, clock(), incident_id=inc, department="lsq", channel="webhook#0"
    )
    receiver.fail_next(1)
    result = deliver_due(cfg, sqlite_database, clock())
    assert result.retried == 1 and "HTTP 500" in result.errors[0]
    receiver.fail_next(1, status=400)
    result = deliver_due(cfg, sqlite_database, clock.advance(hours=1))
    assert result.dead == 1 and "HTTP 400" in result.errors[0]
    assert statuses(sqlite_database) == {key: "dead"}
    assert receiver.records() == []


def test_a_missing_secret_kills_only_that_channel(
    config: Config,
    sqlite_database: Database,
    receiver: WebhookReceiver,
    clock: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOT_SET_SECRET", raising=False)
    cfg = with_departments(
        config,
        department(
            "lsq", [{"type": "webhook", "url": receiver.url, "secret_env": "NOT_SET_SECRET"}]
        ),
        department("scjgj", [{"type": "webhook", "url": receiver.url}]),
    )
    inc = add_incident(sqlite_database, clock())
    bad = add_notification(
        sqlite_database, clock(), incident_id=inc, department="lsq", channel="webhook#0"
    )
    good = add_notification(
        sqlite_database, clock(), incident_id=inc, department="scjgj", channel="webhook#0"
    )
    result = deliver_due(cfg, sqlite_database, clock())
    assert statuses(sqlite_database) == {bad: "dead", good: "sent"}
    assert "environment variable NOT_SET_SECRET" in result.errors[0]
    assert receiver.keys() == [good]
