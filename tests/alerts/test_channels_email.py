"""E-mail against a real SMTP server (aiosmtpd on 127.0.0.1), and the .eml fallback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.delivery_support import (
    add_incident,
    add_notification,
    department,
    payload,
    statuses,
    with_departments,
)
from yuqing.alerts.outbox import deliver_due
from yuqing.config import Config
from yuqing.config.settings import SmtpSettings
from yuqing.store.session import Database


class Inbox:
    """An aiosmtpd handler that keeps messages and can refuse on demand."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.data_reply: str | None = None  # e.g. "451 try again later"
        self.rcpt_reply: str | None = None  # e.g. "550 no such user"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _config(config: Config, port: int | None) -> Config:
    smtp = SmtpSettings(
        host="127.0.0.1" if port else "", port=port or 25, sender="yuqing@qiqihar.example"
    )
    settings = config.settings.model_copy(update={"smtp": smtp})
    cfg = config.model_copy(update={"settings": settings})
    return with_departments(
        cfg,
        department(
            "lsq",
            [{"type": "email", "to": ["lsq@qiqihar.example"], "cc": ["cc@qiqihar.example"]}],
            name="龙沙区人民政府",
        ),
    )


def _hostile() -> dict[str, Any]:
    data = payload()
    data["posts"][0]["title"] = "<script>alert('x')</script>[链接](http://evil.example)"
    return data


def test_email_has_chinese_subject_alternatives_and_idempotency_key(
    config: Config, sqlite_database: Database, smtp: tuple[Inbox, int], clock: Any
) -> None:
    inbox, port = smtp
    cfg = _config(config, port)
    inc = add_incident(sqlite_database, clock())
    key = add_notification(
        sqlite_database,
        clock(),
        incident_id=inc,
        department="lsq",
        channel="email#0",
        data=_hostile(),
    )
    result = deliver_due(cfg, sqlite_database, clock())
    assert result.sent == 1
    [(rcpts, raw)] = inbox.messages
    assert sorted(rcpts) == ["cc@qiqihar.example", "lsq@qiqihar.example"]
    # The subject is RFC 2047-encoded on the wire and decodes to the Chinese text.
    raw_subject = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert b"=?utf-8?" in raw_subject.lower()
    msg = message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == "【一刀切关停预警】龙沙区 生活服务业 一刀切式关停（3条）"
    assert msg["X-Yuqing-Idempotency-Key"] == key
    assert msg.get_content_type() == "multipart/alternative"
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    html_text = html.get_content()
    assert "&lt;script&gt;" in html_text and "<script>" not in html_text
    assert "http://127.0.0.1:8000/incidents/12" in plain.get_content()
    assert statuses(sqlite_database) == {key: "sent"}


def test_message_id_is_the_same_on_every_retry(
    config: Config, sqlite_database: Database, smtp: tuple[Inbox, int], clock: Any
) -> None:
    """Guards duplicate detection: a resent e-mail must carry the same Message-ID."""
    inbox, port = smtp
    cfg = _config(config, port)
    inc = add_incident(sqlite_database, clock())
    add_notification(sqlite_database, clock(), incident_id=inc, department="lsq", channel="email#0")
    deliver_due(cfg, sqlite_database, clock())
    first = message_from_bytes(inbox.messages[0][1], policy=default)
    from yuqing.store.models import Notification

    with sqlite_database.session() as s:
        s.query(Notification).update({"status": "pending"})  # as if the success was lost
    deliver_due(cfg, sqlite_database, clock.advance(minutes=5))
    second = message_from_bytes(inbox.messages[1][1], policy=default)
    assert first["Message-ID"] == second["Message-ID"]
    assert first.get_body(("html",)).get_content() == second.get_body(("html",)).get_content()


def test_smtp_4xx_is_retried_and_5xx_recipient_refusal_is_dead(
    config: Config, sqlite_database: Database, smtp: tuple[Inbox, int], clock: Any
) -> None:
    inbox, port = smtp
    cfg = _config(config, port)
    inc = add_incident(sqlite_database, clock())
    key = add_notification(
        sqlite_database, clock(), incident_id=inc, department="lsq", channel="email#0"
    )
    inbox.data_reply = "451 4.3.0 try again later"
    result = deliver_due(cfg, sqlite_database, clock())
    assert (result.sent, result.retried) == (0, 1)
    assert "451" in result.errors[0]
    inbox.data_reply = None
    inbox.rcpt_reply = "550 5.1.1 no such user"
    result = deliver_due(cfg, sqlite_database, clock.advance(hours=1))
    assert result.dead == 1
    assert "all recipients refused" in result.errors[0]
    assert statuses(sqlite_database) == {key: "dead"}


def test_without_smtp_host_mail_is_written_as_eml(
    config: Config, sqlite_database: Database, clock: Any
) -> None:
    cfg = _config(config, None)
    inc = add_incident(sqlite_database, clock())
    key = add_notification(
        sqlite_database, clock(), incident_id=inc, department="lsq", channel="email#0"
    )
    assert deliver_due(cfg, sqlite_database, clock()).sent == 1
    [path] = list((cfg.settings.data_dir / "outbox" / "mail" / "lsq").glob("*.eml"))
    msg = message_from_bytes(path.read_bytes(), policy=default)
    assert msg["X-Yuqing-Idempotency-Key"] == key
    assert msg["Subject"].startswith("【一刀切关停预警】")
