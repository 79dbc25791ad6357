"""The scheduler's digest job: recorded, archived, queued once per channel, idempotent — and
the e-mail carries the charts as inline images."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

from sqlalchemy import select

from tests.alerts.test_digest import seed
from yuqing.alerts.channels.base import Outgoing
from yuqing.alerts.channels.email import build_email
from yuqing.alerts.digest import run_daily
from yuqing.alerts.digest_mail import inline_images
from yuqing.alerts.messages import Rendered
from yuqing.config import Config
from yuqing.store.models import Digest, Notification
from yuqing.store.session import Database

SATURDAY_8AM = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 08:00 in China
MONDAY_8AM = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)


def _small(config: Config) -> Config:
    """Three departments are enough (rendering every one of 28 takes a while)."""
    keep = {"lsq", "zjj", "dcs"}
    config.departments.departments = [d for d in config.departments.departments if d.code in keep]
    return config


def lsq_email(row: Notification) -> EmailMessage:
    """The e-mail the channel would send for a digest row of department lsq, parsed back."""
    out = Outgoing(
        key=row.idempotency_key,
        department_code="lsq",
        department_name="龙沙区人民政府",
        channel_ref=row.channel,
        kind="digest",
        payload=row.payload,
        rendered=Rendered(row.payload, "Asia/Shanghai", {}),
    )
    msg = build_email(out, "yuqing@example.cn", ["lsq@example.cn"])
    parsed = email.message_from_bytes(msg.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_run_daily_records_archives_and_queues(config: Config, sqlite_database: Database) -> None:
    config = _small(config)
    seed(sqlite_database)
    result = run_daily(config, sqlite_database, now=SATURDAY_8AM)
    assert (result.rendered, result.enqueued, result.skipped, result.errors) == (4, 4, 0, [])
    with sqlite_database.session() as s:
        digests = {d.department_code: d for d in s.scalars(select(Digest))}
        rows = {n.idempotency_key: n for n in s.scalars(select(Notification))}
    assert set(digests) == {"city", "lsq", "zjj", "dcs"}
    assert {d.period for d in digests.values()} == {"daily"}
    assert {d.day for d in digests.values()} == {"2026-11-27"}
    city = digests["city"]
    assert city.sent_at is not None
    folder = config.settings.data_dir / "digests" / "2026-11-27"
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{code}.{ext}" for code in ("city", "dcs", "lsq", "zjj") for ext in ("html", "json", "txt")
    ]
    assert (folder / "lsq.html").read_text(encoding="utf-8") == digests["lsq"].html
    assert digests["lsq"].path == str(folder / "lsq.html")
    # the city-wide digest goes to the leaders' office (routing.escalation_receiver)
    key = f"digest-{city.id}/dcs/email#0"
    assert key in rows
    row = rows[key]
    assert (row.kind, row.incident_id, row.digest_id, row.status) == (
        "digest",
        None,
        city.id,
        "pending",
    )
    payload = row.payload
    assert payload["idempotency_key"] == key
    assert payload["digest"]["title"] == "全市舆情日报（11月27日）"
    assert payload["digest"]["html"] == city.html and payload["digest"]["full_text"] == city.text
    assert payload["digest"]["text"].startswith("统计范围：全市（11月27日）")
    assert payload["digest"]["url"] == "http://127.0.0.1:8000/digests/daily/2026-11-27/city"


def test_run_daily_is_idempotent(config: Config, sqlite_database: Database) -> None:
    config = _small(config)
    seed(sqlite_database)
    run_daily(config, sqlite_database, now=SATURDAY_8AM)
    again = run_daily(config, sqlite_database, now=SATURDAY_8AM)
    assert (again.rendered, again.enqueued, again.skipped) == (0, 0, 4)
    with sqlite_database.session() as s:
        assert len(s.scalars(select(Notification)).all()) == 4


def test_weekly_digest_on_the_weekly_day(config: Config, sqlite_database: Database) -> None:
    config = _small(config)
    assert config.schedule.weekly_digest_day == "mon"
    seed(sqlite_database)
    result = run_daily(config, sqlite_database, now=MONDAY_8AM)
    assert result.rendered == 8  # daily and weekly, for city and three departments
    folder = config.settings.data_dir / "digests" / "2026-11-29"
    assert (folder / "lsq-weekly.html").is_file() and (folder / "lsq.html").is_file()
    with sqlite_database.session() as s:
        weekly = s.scalars(select(Digest).where(Digest.period == "weekly")).all()
    assert {d.day for d in weekly} == {"2026-11-29"}


def test_weekly_digest_is_called_zhoubao_everywhere(
    config: Config, sqlite_database: Database
) -> None:
    """Regression: the weekly digest's e-mail went out under the daily subject 【舆情日报】.
    Subject, title, HTML, plain-text alternative, chat summary and archive name say weekly."""
    config = _small(config)
    seed(sqlite_database)
    run_daily(config, sqlite_database, now=MONDAY_8AM)
    with sqlite_database.session() as s:
        rows = s.scalars(select(Notification).where(Notification.department_code == "lsq")).all()
        digests = {d.id: d for d in s.scalars(select(Digest))}
    by_period = {r.payload["digest"]["period"]: r for r in rows}
    assert set(by_period) == {"daily", "weekly"}
    for period, name, other in (("daily", "舆情日报", "周报"), ("weekly", "舆情周报", "日报")):
        row = by_period[period]
        digest = digests[row.digest_id]
        rendered = Rendered(row.payload, "Asia/Shanghai", {})
        assert rendered.subject.startswith(f"【{name}】龙沙区人民政府{name}（")
        assert rendered.sms.startswith(f"【{name}】")
        for text in (digest.html, digest.text, rendered.text, rendered.markdown(), rendered.sms):
            assert name in text and other not in text
        assert str(lsq_email(row)["Subject"]).startswith(f"【{name}】")
    assert digests[by_period["weekly"].digest_id].path.endswith("/lsq-weekly.html")
    assert digests[by_period["daily"].digest_id].path.endswith("/lsq.html")


def test_broken_department_does_not_stop_the_others(
    config: Config, sqlite_database: Database, monkeypatch: object
) -> None:
    import yuqing.alerts.digest as digest

    config = _small(config)
    real = digest.render

    def render(config: Config, facts: object, scope: digest.Scope, now: datetime) -> object:
        if scope.code == "lsq":
            raise RuntimeError("boom")
        return real(config, facts, scope, now)  # type: ignore[arg-type]

    monkeypatch.setattr(digest, "render", render)  # type: ignore[attr-defined]
    result = digest.run_daily(config, sqlite_database, now=SATURDAY_8AM)
    assert result.rendered == 3
    assert result.errors == ["daily 2026-11-27 lsq: RuntimeError: boom"]


def test_digest_email_has_inline_charts(config: Config, sqlite_database: Database) -> None:
    config = _small(config)
    seed(sqlite_database)
    run_daily(config, sqlite_database, now=SATURDAY_8AM)
    with sqlite_database.session() as s:
        row = s.scalars(select(Notification).where(Notification.department_code == "lsq")).one()
    parsed = lsq_email(row)
    assert "龙沙区人民政府舆情日报" in str(parsed["Subject"])
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content().replace("\r\n", "\n") == row.payload["digest"]["full_text"]
    body = html.get_content()
    assert "data:image" not in body
    cids = [
        p["Content-ID"].strip("<>") for p in parsed.walk() if p.get_content_type() == "image/png"
    ]
    # trend and incident states; 龙沙区's district chart would be one bar: a sentence instead
    assert len(cids) == 2  # issue 13
    assert "识别出区县的帖文均在龙沙区" in body
    for cid in cids:
        assert f'src="cid:{cid}"' in body
    images = [p.get_content() for p in parsed.walk() if p.get_content_type() == "image/png"]
    assert all(img.startswith(b"\x89PNG") and len(img) > 5000 for img in images)


def test_inline_images_leaves_other_html_alone() -> None:
    html, images = inline_images('<p>图</p><img src="https://x.test/a.png">')
    assert html == '<p>图</p><img src="https://x.test/a.png">' and images == []


def test_scheduler_hook_name() -> None:
    """app/scheduler.py looks up yuqing.alerts.digest.run_scheduled."""
    from yuqing.alerts import digest

    assert digest.run_scheduled is digest.run_daily
