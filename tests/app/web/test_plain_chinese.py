"""Officer pages speak plain Chinese (issue 13 item 5): every officer-facing page, rendered
from a demo-like database, shows no ASCII identifiers — no snake_case codes, ``routes[N]``,
``email#0``, ``m-<hex>`` model ids, rule or source names, English status words.

What may stay is allow-listed: URLs, numbers and units, login names (display names are their
own work), the product name, 检索式 operators, and crawled text (marked ``class="crawled"``:
posts are what the public wrote, not what yuqing says).
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from sqlalchemy import select

from tests.app.web.conftest import Clients, Seed, post_form
from tests.conftest import FakeClock
from yuqing.alerts import glossary
from yuqing.alerts.audit import SYSTEM_ACTOR
from yuqing.store.models import AuditLog, IncidentDepartment
from yuqing.store.session import Database

# An ASCII token with at least two letters: ``life_services``, ``routes[2]``, ``email#0``,
# ``m-5b02``, ``high``, ``open``, ``blanket-shutdown``, ``demo-board``.
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_.#\-\[\]]*")
URL = re.compile(r"https?://\S+")
ALLOWED = {
    "yuqing",  # the product, in the footer
    "AND",  # 检索式 operators, shown in the search syntax help
    "OR",
    "NOT",
    "NEAR",
    "Webhook",  # a channel's own name
    "CSV",
    "Excel",
    "SQL",
    # login names of the seeded users (what an officer signs in with)
    "admin",
    "lsq1",
    "lsq2",
    "jhq1",
    "dcs1",
    "ana",
    "seed",
}


def visible_text(html: str) -> str:
    """The text a reader sees: no scripts/styles, no crawled post text, attributes dropped
    except the ones shown (placeholder, title, aria-label)."""
    doc = lxml.html.fromstring(html)
    for el in doc.xpath("//script|//style|//*[contains(concat(' ', @class, ' '), ' crawled ')]"):
        el.drop_tree()
    shown = [
        str(v) for v in doc.xpath("//@placeholder|//@title|//@aria-label") if isinstance(v, str)
    ]
    return " ".join([*doc.itertext(), *shown])


def identifiers(html: str) -> list[str]:
    text = URL.sub(" ", visible_text(html))
    found = []
    for token in TOKEN.findall(text):
        token = token.rstrip(".-#")
        if sum(c.isalpha() for c in token) >= 2 and token not in ALLOWED:
            found.append(token)
    return sorted(set(found))


def test_the_scanner_finds_each_kind_of_identifier() -> None:
    """issue 13: the test below would catch what the issue saw on the pages."""
    html = (
        "<p>rule=blanket-shutdown severity=high sector=life_services 路由：routes[21] "
        "email#0/webhook#1 模型 m-5b02… 来源：demo-weibo 状态 open</p>"
        '<p class="crawled">网友原文 <script>x</script> hello world</p>'
        "<p>共 12 条 · 3 小时 · https://bbs.example.cn/t/1 · lsq1 · 第 2 / 7 页</p>"
    )
    assert identifiers(html) == [
        "blanket-shutdown",
        "demo-weibo",
        "email#0",
        "high",
        "life_services",
        "m-5b02",
        "open",
        "routes[21]",
        "rule",
        "sector",
        "severity",
        "webhook#1",
    ]


def _demo_like(db: Database, seed: Seed, clock: FakeClock) -> None:
    """What a running system adds: suppressed notifications (inhibition, silence), feedback."""
    with db.session() as s:
        row = s.scalar(
            select(IncidentDepartment).where(
                IncidentDepartment.incident_id == seed.escalated,
                IncidentDepartment.department_code == "lsq",
            )
        )
        assert row is not None
        row.route = "routes[4]"  # district="龙沙区", no description: its matchers in words
        row.suppressed_by = (
            f"inhibited by incident #{seed.lsq} (龙沙区 生活服务业 一刀切式关停) "
            "via inhibit_rules[0]"
        )
        for reason in (
            f"silence #{seed.silence} by admin until 2026-11-27T13:00:00+00:00: 督察期间",
            row.suppressed_by,
        ):
            s.add(
                AuditLog(
                    at=clock(),
                    actor=SYSTEM_ACTOR,
                    action="incident.suppress",
                    object_type="incident",
                    object_id=str(seed.escalated),
                    detail={"department": "lsq", "reason": reason},
                )
            )


OFFICER_PAGES = {
    "lsq1": [
        "/inbox",
        "/inbox?status=all",
        "/inbox?status=resolved",
        "/inbox?q=烧烤",
        "/incidents/{lsq}",
        "/incidents/{resolved}",
        "/incidents/{escalated}",
        "/triage",
        "/digests",
        "{digest}",  # issue 13: the digest detail page too (its post text marked crawled)
        "/dashboard?from=2026-11-20&to=2026-11-27",
    ],
    "jhq1": ["/inbox", "/incidents/{jhq}", "/triage", "/triage?status=all"],
    "dcs1": ["/inbox", "/incidents/{escalated}"],
    "ana": [
        "/inbox",
        "/incidents/{lsq}",
        "/posts?from=2026-11-20&to=2026-11-27",
        "/search?q=关停",
        "/dashboard?from=2026-11-20&to=2026-11-27",
        "/digests",
    ],
}


@pytest.mark.parametrize("username", sorted(OFFICER_PAGES))
def test_officer_pages_show_no_ascii_identifiers(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock, username: str
) -> None:
    """issue 13: labels, rule/sector names, routes, channels, sources, statuses in Chinese."""
    _demo_like(sqlite_database, seed, clock)
    c = clients.login(username)
    if username == "lsq1":  # feedback, a note and a bulk 签收 in the timeline
        url = f"/incidents/{seed.lsq}/posts/{seed.plain_post}/tags"
        assert post_form(c, url, {"shutdown": "0", "sector": "construction"}).status_code == 303
        assert post_form(c, f"/incidents/{seed.lsq}/note", {"note": "已核查"}).status_code == 303
    problems = {}
    for template in OFFICER_PAGES[username]:
        url = template.format(**vars(seed))
        r = c.get(url)
        assert r.status_code == 200, url
        found = identifiers(r.text)
        if found:
            problems[url] = found
    assert problems == {}


def test_incident_page_reads_routes_channels_and_suppression_in_words(
    clients: Clients, seed: Seed, sqlite_database: Database, clock: FakeClock
) -> None:
    """issue 13: `路由：routes[21]`, `email#0`, `inhibited by incident #2 … via
    inhibit_rules[0]` become words an officer understands."""
    _demo_like(sqlite_database, seed, clock)
    html = clients.login("dcs1").get(f"/incidents/{seed.escalated}").text
    text = " ".join(lxml.html.fromstring(html).text_content().split())
    assert f"已由更高级别的同一事件 #{seed.lsq}（龙沙区 生活服务业 一刀切式关停）统一处置" in text
    assert (
        "静默期内暂停通知（静默规则" in text
        and "admin 设置，至 2026-11-27 13:00）：督察期间" in text
    )
    # a route without a description reads as its matchers (routing.yaml now describes the
    # rule routes the seed's routes[0]/[1] point at, so the seed points lsq at a district route)
    assert "分派依据：按「区县为龙沙区」分派" in text and "routes[" not in text
    assert "→ 市政府督查室 邮件 · 已送达" in text


def test_glossary_words() -> None:
    """issue 13: one glossary: 帖文, 关停报告, channel names, routes by description."""
    assert glossary.unify("关停报道和关停停产报告，帖子 3 条，已超期") == (
        "关停报告和关停报告，帖文 3 条，已超时"
    )
    assert [glossary.channel_name(c) for c in ("email#0", "dingtalk#1", "wecom", "feishu#2")] == [
        "邮件",
        "钉钉",
        "企业微信",
        "飞书",
    ]
    assert glossary.channel_name("webhook#3") == "Webhook"
    assert (
        glossary.suppression_text("silence #3 by admin")
        == "静默期内暂停通知（静默规则 #3，admin 设置）"
    )
    assert glossary.suppression_text("something new") == "通知已暂停"


def test_routes_are_described_by_their_matchers(config: object) -> None:
    """issue 13: a route path reads as the conditions it matched and the receiver."""
    from yuqing.config import Config

    assert isinstance(config, Config)
    routes = config.routing.routes
    i = next(n for n, r in enumerate(routes) if r.matchers == ['district="龙沙区"'])
    assert not routes[i].description  # routing.yaml describes only the rule routes
    text = glossary.describe_route(f"routes[{i}]", config.routing, config.rules.rules)
    assert text == "按「区县为龙沙区」分派"
    j = next(n for n, r in enumerate(routes) if r.matchers == ['rule="blanket-shutdown"'])
    described = glossary.describe_route(f"routes[{j}]", config.routing, config.rules.rules)
    assert described == routes[j].description == "一刀切式关停交市生态环境局督察整改办"
    assert glossary.describe_route("routes[999]", config.routing) == "按分派规则"
    assert (
        glossary.describe_route("escalation level 2", config.routing) == "超时升级督办（第 2 级）"
    )


def test_bulk_acknowledge_result_is_plain(clients: Clients, seed: Seed) -> None:
    c = clients.login("lsq1")
    r = post_form(c, "/inbox/acknowledge", {"incident": str(seed.lsq)})
    assert r.status_code == 303
    page = c.get(r.headers["location"])
    assert identifiers(page.text) == []


def test_silence_reason_names_the_person_who_set_it() -> None:
    """issue 13: 静默规则 #3，王芳（龙沙区人民政府）设置 — the person, not the login."""
    why = "silence #3 by lsq1 until 2026-11-28T10:00:00+08:00: 现场已核实"
    assert glossary.silence_author(why) == "lsq1"
    assert glossary.silence_author("inhibited by incident #2") is None
    people = {"lsq1": "王芳（龙沙区人民政府）"}
    assert glossary.suppression_text(why, people) == (
        "静默期内暂停通知（静默规则 #3，王芳（龙沙区人民政府）设置，"
        "至 2026-11-28 10:00）：现场已核实"
    )
