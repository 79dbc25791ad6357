"""Issue 13, leader views: the dashboard is led by 一刀切/关停 ranked by district with the change
against the previous period, KPIs compare and click through, unknown districts are counted
apart, and every district officer sees their own district's dashboard (it was 403)."""

from __future__ import annotations

from datetime import datetime, timedelta

import lxml.html
from sqlalchemy import select

from tests.app.web import factories as f
from tests.app.web.conftest import Clients, Seed, text_of
from tests.conftest import FakeClock
from yuqing.app.web.leader import change
from yuqing.store.models import Incident, Source
from yuqing.store.session import Database

RANGE = "from=2026-11-21&to=2026-11-27"  # seven days; the previous period: 11-14 … 11-20


def more_posts(db: Database, now: datetime) -> None:
    """Two 龙沙区 blanket posts in the previous period, two shutdown posts of unknown
    district and one 建华区 shutdown post now."""
    with db.session() as s:
        src = s.scalar(select(Source).where(Source.name == "demo-board"))
        assert src is not None
        for days in (8, 9):
            f.post(s, src, published_at=now - timedelta(days=days), tags={})
        for _ in range(2):
            f.post(
                s,
                src,
                published_at=now - timedelta(hours=5),
                tags={"district": None, "blanket": False},
            )
        f.post(
            s,
            src,
            published_at=now - timedelta(hours=5),
            tags={"district": "建华区", "sector": "construction", "blanket": False},
        )


def doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def kpi(page: lxml.html.HtmlElement, key: str) -> tuple[str, str, str | None]:
    (li,) = page.cssselect(f'li[data-kpi="{key}"]')
    num = li.cssselect(".lead-kpi-num")[0].text_content()
    delta = li.cssselect(".lead-change")
    a = li.cssselect("a")
    return num, delta[0].text_content() if delta else "", a[0].get("href") if a else None


def ranking(page: lxml.html.HtmlElement) -> list[tuple[str, str, str]]:
    return [
        (
            li.get("data-district"),
            " ".join(li.cssselect(".lead-rank-figs")[0].text_content().split()),
            li.cssselect("a")[0].get("href"),
        )
        for li in page.cssselect("#district-ranking li[data-district]")
    ]


def test_change_wording() -> None:
    assert change(3, 2) == {"text": "较上期 +1（+50%）", "trend": "up"}
    assert change(1, 4) == {"text": "较上期 −3（−75%）", "trend": "down"}
    assert change(2, 0)["text"] == "较上期 +2（上期为 0）"
    assert change(0, 0) == {"text": "较上期持平", "trend": "flat"}


def test_dashboard_led_by_blanket_ranking(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    more_posts(sqlite_database, clock())
    html = clients.login("ana").get(f"/dashboard?{RANGE}").text
    page = doc(html)
    assert ranking(page) == [
        (
            "龙沙区",
            "2 一刀切 较上期持平 2 关停 较上期持平 一刀切事件未办结 1 起，1 起超时",
            "/inbox?status=all&district=%E9%BE%99%E6%B2%99%E5%8C%BA",
        ),
        (
            "建华区",
            "0 一刀切 较上期持平 2 关停 较上期 +2（上期为 0）",
            "/inbox?status=all&district=%E5%BB%BA%E5%8D%8E%E5%8C%BA",
        ),
    ]
    # unknown districts are one line, never a district in the ranking or the charts
    assert page.cssselect("#unknown-districts")[0].text_content() == (
        "另有 2 条关停类帖文未识别区县，未计入排名。"
    )
    assert "未标注/未识别" not in html and "另有 2 条帖文未识别区县。" in text_of(html)
    # KPIs compare with the previous seven days and click through
    assert kpi(page, "blanket") == (
        "2",
        "较上期持平",
        "/posts?flag=blanket&from=2026-11-21&to=2026-11-27",
    )
    assert kpi(page, "shutdown")[:2] == ("6", "较上期 +4（+200%）")
    assert kpi(page, "posts")[:2] == ("6", "较上期 +4（+200%）")
    assert kpi(page, "overdue") == ("1", "", "/inbox?status=open")
    # the 关停/一刀切 trend comes first, before the per-day charts
    assert html.index("关停类舆情走势") < html.index("每日帖文数（按区县）")
    assert html.index("district-ranking") < html.index("关停类舆情走势")
    # a ranked district's link opens its incidents
    inbox = clients.login("ana").get(ranking(page)[0][2])
    assert inbox.status_code == 200 and "龙沙区" in text_of(inbox.text)


def test_district_officer_sees_their_own_dashboard(clients: Clients, seed: Seed) -> None:
    """Regression: officers got 403 and no trend of their own."""
    lsq = clients.login("lsq1").get(f"/dashboard?{RANGE}")
    assert lsq.status_code == 200
    page = doc(lsq.text)
    assert page.cssselect("#dashboard-scope")[0].text_content() == "龙沙区人民政府"
    assert [d for d, _, _ in ranking(page)] == ["龙沙区"]
    assert kpi(page, "posts")[0] == "2"  # 龙沙区's, not 建华区's
    assert "关停类舆情走势" in lsq.text and "sources-health" not in lsq.text
    assert "每日帖文数（按区县）" not in lsq.text  # one district: no per-district chart
    # a district outside the department's scope is ignored, not shown
    other = doc(clients.login("lsq1").get(f"/dashboard?{RANGE}&district=建华区").text)
    assert [d for d, _, _ in ranking(other)] == ["龙沙区"]
    jhq = doc(clients.login("jhq1").get(f"/dashboard?{RANGE}").text)
    assert [d for d, _, _ in ranking(jhq)] == ["建华区"]
    assert kpi(jhq, "incidents")[0] == "1"  # only incidents routed to 建华区人民政府
    # the nav offers it to officers too
    assert '<a href="/dashboard"' in clients.login("lsq1").get("/inbox").text


def test_admin_picks_a_district(clients: Clients, seed: Seed) -> None:
    page = doc(clients.login("admin").get(f"/dashboard?{RANGE}&district=建华区").text)
    assert page.cssselect("#dashboard-scope")[0].text_content() == "建华区"
    assert [d for d, _, _ in ranking(page)] == ["建华区"]
    assert kpi(page, "posts")[0] == "1"
    selected = page.cssselect("#district-select option[selected]")
    assert [o.get("value") for o in selected] == ["建华区"]
    assert kpi(page, "failing")[2] == "/admin/sources"


def test_ranking_blanket_counts_open_the_rule_filter(clients: Clients, seed: Seed) -> None:
    """issue 13: a district's 一刀切 figures open its 一刀切 incidents (the inbox's rule filter),
    not all of the district's incidents."""
    ana = clients.login("ana")
    page = doc(ana.get(f"/dashboard?{RANGE}").text)
    (li,) = page.cssselect('#district-ranking li[data-district="龙沙区"]')
    district = "district=%E9%BE%99%E6%B2%99%E5%8C%BA"
    blanket = li.cssselect("a.lead-fig-blanket")[0].get("href")
    cases = li.cssselect("a.lead-cases")[0].get("href")
    assert blanket == f"/inbox?status=all&rule=blanket-shutdown&{district}"
    assert cases == f"/inbox?status=active&rule=blanket-shutdown&{district}"
    listed = ana.get(cases).text
    assert f'data-incident="{seed.lsq}"' in listed
    assert "data-incident" in listed and all(
        f'data-incident="{i}"' not in listed for i in (seed.escalated, seed.jhq)
    )


def test_merged_incidents_are_not_counted_again(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    """issue 13: an incident merged into a higher one is the same event: the dashboard's
    新增预警事件 and per-day incident charts count it once (in the incident it joined)."""
    before = kpi(doc(clients.login("ana").get(f"/dashboard?{RANGE}").text), "incidents")[0]
    with sqlite_database.session() as s:
        low = f.incident(
            s,
            departments=["lsq"],
            opened_at=clock() - timedelta(hours=2),
            status="resolved",
            rule="shutdown-report",
            severity="medium",
        )
        low.merged_into, low.merged_at = seed.lsq, clock() - timedelta(hours=1)
    after = kpi(doc(clients.login("ana").get(f"/dashboard?{RANGE}").text), "incidents")[0]
    assert after == before
    lsq = kpi(doc(clients.login("lsq1").get(f"/dashboard?{RANGE}").text), "incidents")[0]
    with sqlite_database.session() as s:
        row = s.get(Incident, low.id)
        assert row is not None
        row.merged_into = None  # the same incident, not merged: counted
    assert kpi(doc(clients.login("ana").get(f"/dashboard?{RANGE}").text), "incidents")[0] == str(
        int(before) + 1
    )
    assert kpi(doc(clients.login("lsq1").get(f"/dashboard?{RANGE}").text), "incidents")[0] == str(
        int(lsq) + 1
    )


def test_source_health_reason_is_admin_only_and_chinese(
    clients: Clients, seed: Seed, sqlite_database: Database
) -> None:
    """issue 13: the dashboard showed ``last crawl ok: 82 items``; now admins read it in
    Chinese (and on the admin pages), analysts see the health without the reason."""
    with sqlite_database.session() as s:
        src = s.get(Source, seed.source_ok)
        assert src is not None
        src.health_reason = "last crawl ok: 12 items"
    admin = text_of(clients.login("admin").get(f"/dashboard?{RANGE}").text)
    assert "上次采集正常：12 条" in admin and "last crawl" not in admin
    assert "上次采集正常：12 条" in text_of(clients.login("admin").get("/admin/sources").text)
    analyst = text_of(clients.login("ana").get(f"/dashboard?{RANGE}").text)
    assert "上次采集正常" not in analyst and "last crawl" not in analyst
