"""Digest content for a fixed dataset and day: the numbers, the incident lists, the top posts,
the failing sources, the charts, the plain-text alternative — and crawled text stays inert."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from yuqing.alerts.digest import RenderedDigest, archive, render_digest
from yuqing.alerts.digest_archive import data_path, read_data
from yuqing.alerts.digest_data import scopes
from yuqing.config import Config
from yuqing.store.models import CrawlRun, Incident, IncidentDepartment, Source, User
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

DAY = date(2026, 11, 27)
HOSTILE_TITLE = "<script>alert(1)</script>{{ 7*7 }}烧烤店投诉"


def local(d: int, h: int, m: int = 0) -> datetime:
    """2026-11-<d> h:m in China (UTC+8), as an aware UTC datetime."""
    return datetime(2026, 11, d, h, m, tzinfo=UTC) - timedelta(hours=8)


def tag(
    sector: str,
    district: str | None,
    shutdown: bool = False,
    blanket: bool = False,
    complaint: bool = False,
    evidence: dict[str, Any] | None = None,
) -> TagRecord:
    return TagRecord(
        "m1",
        shutdown,
        0.9 if shutdown else 0.1,
        blanket,
        complaint,
        0.8 if complaint else 0.1,
        sector,
        0.9,
        district,
        False,
        blanket_score=0.9 if blanket else 0.0,
        evidence=evidence or {},
    )


POSTS: list[tuple[str, str, str, datetime, TagRecord | None]] = [
    (
        "p1",
        "烧烤一条街被一刀切关停",
        "龙沙区烧烤一条街昨天被一刀切全部关停，证照齐全也不行。",
        local(27, 10),
        tag("life_services", "龙沙区", True, True, True, {"keywords": ["一刀切", "全部关停"]}),
    ),
    (
        "p2",
        "洗车店停业",
        "龙沙区一家洗车店被要求停业整顿。",
        local(27, 11),
        tag("life_services", "龙沙区", shutdown=True),
    ),
    (
        "p3",
        "工地噪音投诉",
        "建华区工地夜间施工，投诉无人管。",
        local(27, 12),
        tag("construction", "建华区", complaint=True),
    ),
    ("p4", "龙沙公园赏雪", "今天龙沙公园的雪景很美。", local(27, 13), tag("other", "龙沙区")),
    ("p5", "随手拍", "无标签的帖文", local(27, 14), None),
    (
        "p6",
        HOSTILE_TITLE,
        "龙沙区烧烤店投诉 [点我](javascript:alert(1))",
        local(27, 23, 59),
        tag("life_services", "龙沙区", complaint=True),
    ),
    (
        "p7",
        "夜市摊位投诉",
        "龙沙区夜市投诉",
        local(26, 9),
        tag("life_services", "龙沙区", complaint=True),
    ),
    (
        "p8",
        "工地停工",
        "建华区工地被叫停",
        local(26, 23, 59),
        tag("construction", "建华区", shutdown=True),
    ),
    ("p9", "一周前", "龙沙区旧帖", local(20, 9), tag("life_services", "龙沙区")),
    (
        "p10",
        "次日",
        "龙沙区次日的帖文",
        local(28, 0, 1),
        tag("life_services", "龙沙区", complaint=True),
    ),
]


def seed(db: Database) -> None:
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                PostRecord(
                    "demo-board",
                    "javascript:alert(1)" if key == "p6" else f"https://bbs.example.cn/{key}",
                    title,
                    body,
                    when,
                    key,
                    external_id=key,
                    cluster_id=None,
                )
                for key, title, body, when, _ in POSTS
            ],
        ).ids
        upsert_tags(s, [(pid, t) for pid, (*_, t) in zip(ids, POSTS, strict=True) if t])
        bad = Source(
            name="county-news",
            kind="listing",
            health="failing",
            health_reason="HTTP 503 three times",
            last_success_at=local(25, 8),
            config={"name": "county-news", "title": "县区新闻网（政府网站式列表）"},
        )
        s.add(bad)
        s.flush()
        s.add(CrawlRun(source_id=bad.id, started_at=local(27, 6), status="failed", errors=1))
        incidents = [
            # id 1: blanket shutdown today, overdue at the end of the day
            (
                Incident(
                    fingerprint="i1",
                    rule="blanket-shutdown",
                    severity="high",
                    district="龙沙区",
                    sector="life_services",
                    title="龙沙区 生活服务业 一刀切式关停",
                    post_count=2,
                    opened_at=local(27, 10, 5),
                    due_at=local(27, 12, 5),
                ),
                ["dczg", "xfj", "lsq", "scjgj"],
            ),
            # id 2: opened yesterday, acknowledged, not resolved
            (
                Incident(
                    fingerprint="i2",
                    rule="complaint",
                    severity="normal",
                    district="建华区",
                    sector="construction",
                    title="建华区 建筑施工 群众投诉",
                    post_count=1,
                    opened_at=local(26, 9),
                    due_at=local(27, 9),
                    status="acknowledged",
                    acknowledged_at=local(26, 10),
                    acknowledged_by="李四",
                ),
                ["jhq", "zjj"],
            ),
            # id 3: resolved today
            (
                Incident(
                    fingerprint="i3",
                    rule="shutdown-report",
                    severity="medium",
                    district="龙沙区",
                    sector="life_services",
                    title="龙沙区 生活服务业 关停",
                    post_count=1,
                    opened_at=local(25, 9),
                    due_at=local(25, 17),
                    status="resolved",
                    acknowledged_at=local(25, 10),
                    acknowledged_by="王五",
                    resolved_at=local(27, 15),
                    resolved_by="王五",
                ),
                ["lsq", "scjgj"],
            ),
            # id 4: resolved a week ago: not in the digest
            (
                Incident(
                    fingerprint="i4",
                    rule="complaint",
                    severity="normal",
                    district="龙沙区",
                    sector="life_services",
                    title="旧事件",
                    opened_at=local(19, 9),
                    status="resolved",
                    resolved_at=local(20, 9),
                ),
                ["lsq"],
            ),
            # id 5: opened after the day ended: not in the digest
            (
                Incident(
                    fingerprint="i5",
                    rule="complaint",
                    severity="normal",
                    district="龙沙区",
                    sector="life_services",
                    title="次日事件",
                    opened_at=local(28, 1),
                ),
                ["lsq"],
            ),
        ]
        for inc, codes in incidents:
            s.add(inc)
            s.flush()
            s.add_all(IncidentDepartment(incident_id=inc.id, department_code=c) for c in codes)


@pytest.fixture
def seeded(sqlite_database: Database) -> Iterator[Database]:
    seed(sqlite_database)
    yield sqlite_database


NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # 08:00 in China, the morning after


def doc(r: RenderedDigest) -> Any:
    return lxml.html.document_fromstring(r.html)


def metrics(r: RenderedDigest) -> dict[str, tuple[int, int, str]]:
    out = {}
    for tr in doc(r).cssselect("#counts tr[data-metric]"):
        cells = {td.get("class"): td.text_content() for td in tr.cssselect("td[class]")}
        out[tr.get("data-metric")] = (int(cells["now"]), int(cells["prev"]), cells["delta"])
    return out


def states(r: RenderedDigest) -> dict[str, int]:
    return {s.get("data-state"): int(s.text) for s in doc(r).cssselect("#incident-counts strong")}


def sections(r: RenderedDigest) -> dict[str, list[int]]:
    return {
        t.get("data-section"): [
            int(tr.get("data-incident")) for tr in t.cssselect("tr[data-incident]")
        ]
        for t in doc(r).cssselect("table.incidents")
    }


def test_city_digest_numbers(config: Config, seeded: Database) -> None:
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    assert r.title == "全市舆情日报（11月27日）"
    assert metrics(r) == {
        "posts": (6, 2, "+4"),
        "shutdown": (2, 1, "+1"),
        "blanket": (1, 0, "+1"),
        "complaint": (3, 1, "+2"),
        "other_region": (0, 0, "持平"),  # posts about other places, counted apart (issue 11)
    }
    assert states(r) == {"overdue": 1, "new": 1, "open": 1, "acknowledged": 1, "resolved": 1}
    # each incident is listed once, in its most urgent state
    assert sections(r) == {"overdue": [1], "acknowledged": [2], "resolved": [3]}
    page = doc(r)
    due_cells = page.cssselect('table[data-section="overdue"] tr[data-incident="1"] td')
    assert due_cells[-1].text_content() == "11月27日 12:05"
    assert [tr.get("data-source") for tr in page.cssselect("#sources tr[data-source]")] == [
        "county-news"
    ]
    # issue 13: a source no longer in sources.yaml reads by its last title, not its code name
    cells = page.cssselect('#sources tr[data-source="county-news"] td')
    assert cells[0].text_content() == "县区新闻网"
    assert "  - 县区新闻网：故障" in r.text and "county-news：" not in r.text  # the text part


def test_department_digest_is_scoped(config: Config, seeded: Database) -> None:
    lsq = render_digest(config, seeded, "lsq", DAY, now=NOW)
    assert metrics(lsq)["posts"] == (4, 1, "+3")  # p1, p2, p4, p6 against p7
    assert metrics(lsq)["complaint"] == (2, 1, "+1")
    assert sections(lsq) == {"overdue": [1], "resolved": [3]}
    assert states(lsq) == {"overdue": 1, "new": 1, "open": 1, "acknowledged": 0, "resolved": 1}
    assert "统计范围：龙沙区" in lsq.text
    # a district government is told sources fail, but does not get the list
    assert not doc(lsq).cssselect("#sources")
    assert "1 个采集源运行异常" in lsq.text
    zjj = render_digest(config, seeded, "zjj", DAY, now=NOW)
    assert metrics(zjj)["posts"] == (1, 1, "持平")  # p3 against p8: construction only
    assert sections(zjj) == {"acknowledged": [2]}
    assert "（李四）" in doc(zjj).cssselect('tr[data-incident="2"]')[0].text_content()


def test_top_posts_links_evidence_and_hostile_text(config: Config, seeded: Database) -> None:
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    page = doc(r)
    items = page.cssselect("#posts li")
    first = items[0]
    assert first.cssselect("a")[0].get("href") == "https://bbs.example.cn/p1"  # blanket first
    assert [m.text for m in first.cssselect("mark")] == ["一刀切全部关停"]  # adjacent: one mark
    assert "证据：一刀切、全部关停" in first.text_content()
    hostile = next(li for li in items if HOSTILE_TITLE in li.text_content())
    assert not hostile.cssselect("a")  # a javascript: URL is no link
    assert not page.cssselect("script")
    assert "{{ 7*7 }}" in hostile.text_content() and "49" not in hostile.text_content()
    assert "javascript:" not in r.html.split("<body", 1)[1].replace("](javascript:alert(1))", "")


def test_charts_are_embedded_pngs(config: Config, seeded: Database) -> None:
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    assert set(r.images) == {"trend", "district", "status"}
    srcs = [img.get("src") for img in doc(r).cssselect("img")]
    assert len(srcs) == 3
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1])
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert base64.b64decode(srcs[0].split(",", 1)[1]) == r.images["trend"]


def test_incident_severity_reads_like_the_web(config: Config, seeded: Database) -> None:
    """Regression: digests said 高/中 where the web says 紧急/重要 (one mapping now)."""
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    cells = {
        int(tr.get("data-incident")): tr.cssselect("td")[1].text_content()
        for tr in doc(r).cssselect("tr[data-incident]")
    }
    assert cells == {1: "紧急", 2: "一般", 3: "重要"}
    assert "（1条，紧急，" not in r.text and "（2条，紧急，" in r.text
    assert "，高，" not in r.text and "，中，" not in r.text


def test_archive_writes_the_data_the_web_renders(
    config: Config, seeded: Database, tmp_path: Path
) -> None:
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    html = archive(r, tmp_path / "a")
    assert sorted(p.name for p in html.parent.iterdir()) == ["city.html", "city.json", "city.txt"]
    data = read_data(data_path(html))
    assert data is not None and data == r.data
    assert (data["department_code"], data["period"], data["day"]) == ("city", "daily", "2026-11-27")
    view = data["view"]
    assert view["title"] == r.title and view["url"] == r.url
    assert "images" not in view and "data:image" not in data_path(html).read_text("utf-8")
    assert [row["severity_key"] for s in view["sections"] for row in s["rows"]] == [
        "high",
        "normal",
        "medium",
    ]
    assert any(p["title"] == HOSTILE_TITLE for p in view["posts"])  # raw: the web escapes
    assert set(data["charts"]) == {"trend_days", "trend", "district", "status"}
    assert data["charts"]["trend_days"][-1] == "2026-11-27"
    again = archive(render_digest(config, seeded, "city", DAY, now=NOW), tmp_path / "b")
    assert data_path(again).read_bytes() == data_path(html).read_bytes()


def test_unreadable_archived_data_is_none(tmp_path: Path) -> None:
    assert read_data(tmp_path / "absent.json") is None
    for body in ("{not json", '{"format": 99, "view": {}, "charts": {}}', "[]"):
        (tmp_path / "x.json").write_text(body, encoding="utf-8")
        assert read_data(tmp_path / "x.json") is None


def test_plain_text_alternative(config: Config, seeded: Database) -> None:
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    lines = r.text.splitlines()
    assert lines[0] == "全市舆情日报（11月27日）"
    assert "  帖文：6（前一日 2，+4）" in lines
    assert "  超时未签收 1 起，新增 1 起，待签收 1 起，已签收待办结 1 起，已办结 1 起" in lines
    assert "     链接：https://bbs.example.cn/p1" in lines
    assert "<" not in r.text.replace(HOSTILE_TITLE, "")
    assert (
        r.summary.splitlines()[1]
        == "帖文 6（+4）；关停报告 2（+1）；一刀切式关停 1（+1）；群众投诉 3（+2）"
    )


def test_weekly_digest_compares_weeks(config: Config, seeded: Database) -> None:
    r = render_digest(config, seeded, "lsq", DAY, period="weekly", now=NOW)
    assert r.title == "龙沙区人民政府舆情周报（11月21日—11月27日）"
    assert metrics(r)["posts"] == (5, 1, "+4")  # p1 p2 p4 p6 p7 against p9


def test_rendering_is_deterministic(config: Config, seeded: Database) -> None:
    a = render_digest(config, seeded, "lsq", DAY, now=NOW)
    b = render_digest(config, seeded, "lsq", DAY, now=NOW)
    assert a.html == b.html and a.text == b.text


def test_scopes_follow_routing(config: Config) -> None:
    sc = scopes(config)
    assert sc["lsq"].description == "龙沙区"
    assert sc["zjj"].description == "建筑施工"
    assert sc["city"].pairs is None
    assert sc["dczg"].pairs == frozenset()  # blanket shutdowns everywhere: its incidents only


def test_unknown_department_is_refused(config: Config, seeded: Database) -> None:
    from yuqing.alerts.digest import DigestError

    with pytest.raises(DigestError, match="unknown department 'nope'"):
        render_digest(config, seeded, "nope", DAY)


def test_issue_13_blanket_rows_cite_the_notice_and_resolutions_are_counted(
    config: Config, seeded: Database
) -> None:
    with seeded.session() as s:
        resolved = s.get(Incident, 3)
        assert resolved is not None
        resolved.verified, resolved.production_restored = "partly", "yes"
        resolved.public_response = "replied"
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    cited = doc(r).cssselect('tr[data-incident="1"]')[0].text_content()
    assert "依据：《齐齐哈尔市坚决禁止生态环境保护问题整改“一刀切”》" in cited
    assert "帖文中未出现条款所列的具体表述" in cited  # incident 1 has no posts linked
    other = doc(r).cssselect('tr[data-incident="2"]')[0].text_content()
    assert "依据" not in other  # complaints cite no notice
    line = "办结 1 起：属实 0、部分属实 1、不属实 0；已恢复生产经营 1 起，未恢复 0 起；"
    assert line in doc(r).cssselect("#resolution-counts")[0].text_content()
    assert line in r.text and "依据：《齐齐哈尔市" in r.text


def test_digest_names_who_signed_not_the_login(config: Config, seeded: Database) -> None:
    """issue 13: 已签收（赵六）, never the login ``zjj1``."""
    with seeded.session() as s:
        s.add(User(username="zjj1", password_hash="x", role="officer", display_name="赵六"))
        inc = s.get(Incident, 2)
        assert inc is not None
        inc.acknowledged_by = "zjj1"
    r = render_digest(config, seeded, "city", DAY, now=NOW)
    assert "已签收（赵六）" in r.text and "zjj1" not in r.text and "zjj1" not in r.html
