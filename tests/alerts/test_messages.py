"""Rendering outbox payloads into Chinese messages: wording per kind, facts, and hostile text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.alerts.delivery_support import payload
from yuqing.alerts.crawled_text import link_url, split_evidence
from yuqing.alerts.labels import SEVERITY_NAMES
from yuqing.alerts.messages import SEVERITY_ZH, Rendered, md_escape

HOSTILE_TITLE = "[点我领奖](http://evil.example/x) <script>alert(1)</script> {{ 7*7 }} {% if 1 %}"
HOSTILE_SNIPPET = (
    "烧烤店被一刀切全部关停了 **加粗** `代码` # 标题 <img src=x onerror=alert(1)> www.evil.cn"
)


def hostile_payload(kind: str = "firing") -> dict:
    data = payload(kind)
    data["posts"][0].update(title=HOSTILE_TITLE, snippet=HOSTILE_SNIPPET)
    return data


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]


def test_firing_message_states_what_where_sector_count_due_and_link() -> None:
    r = Rendered(payload("firing"))
    assert r.subject == "【一刀切关停预警】龙沙区 生活服务业 一刀切式关停（3条）"
    text = r.text
    for fact in ("地区：龙沙区", "行业：生活服务业", "相关帖文：3 条", "级别：紧急"):
        assert fact in text
    # due 11:00 UTC is 19:00 in Asia/Shanghai
    assert "请于 11月27日 19:00 前签收处置" in text
    assert "http://127.0.0.1:8000/incidents/12" in text
    assert "https://bbs.example.cn/t/101" in text
    assert "「一刀切」「全部关停」" not in text  # adjacent evidence terms form one highlight
    assert "「一刀切全部关停」" in text


def test_each_kind_has_distinct_wording() -> None:
    subjects = {
        kind: Rendered(payload(kind, acknowledged_by=None)).subject
        for kind in ("firing", "repeat", "escalation", "resolved")
    }
    assert subjects["firing"].startswith("【一刀切关停预警】")
    assert subjects["repeat"].startswith("【提醒】") and "尚未签收" in subjects["repeat"]
    assert subjects["escalation"].startswith("【升级督办】")
    assert subjects["resolved"].startswith("【已办结】")
    assert len(set(subjects.values())) == 4


@pytest.mark.parametrize(
    ("severity", "word"), [("high", "紧急"), ("medium", "重要"), ("normal", "一般")]
)
def test_severity_words_are_the_webs(severity: str, word: str) -> None:
    """Regression: messages said 高/中/一般 while the web said 紧急/重要/一般; both now read
    alerts.labels.SEVERITY_NAMES."""
    assert SEVERITY_ZH is SEVERITY_NAMES  # the web's labels read the same mapping
    r = Rendered(payload("firing", severity=severity))
    assert f"级别：{word}" in r.text
    assert f"**级别**：{word}" in r.markdown()
    assert f">级别</th><td>{word}</td>" in r.html


def test_escalation_names_the_overdue_departments() -> None:
    data = payload("escalation")
    data["escalation"] = {"level": 1, "from_departments": ["lsq", "scjgj"], "overdue_minutes": 35}
    r = Rendered(data, department_names={"lsq": "龙沙区人民政府", "scjgj": "市市场监督管理局"})
    assert "35 分钟" in r.text
    assert "原责任单位：龙沙区人民政府、市市场监督管理局" in r.text


def test_resolved_message_says_who_and_how() -> None:
    data = payload(
        "resolved",
        status="resolved",
        resolved_by="张科长",
        resolved_at="2026-11-27T10:00:00+00:00",
        resolution="已恢复营业",
    )
    text = Rendered(data).text
    assert "已由 张科长 于 11月27日 18:00 办结" in text
    assert "办结说明：已恢复营业" in text


def test_repeat_after_acknowledgement_asks_to_resolve() -> None:
    data = payload(
        "repeat",
        status="acknowledged",
        acknowledged_by="李四",
        acknowledged_at="2026-11-27T09:30:00+00:00",
    )
    r = Rendered(data)
    assert "尚未办结" in r.subject
    assert "李四" in r.text


def test_html_escapes_script_and_template_syntax_stays_literal() -> None:
    html = Rendered(hostile_payload()).html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert "{{ 7*7 }}" in html and "49" not in html
    parser = _Links()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert set(parser.hrefs) == {
        "https://bbs.example.cn/t/101",
        "http://127.0.0.1:8000/incidents/12",
    }
    assert "<mark>一刀切全部关停</mark>" in html


def test_markdown_neutralizes_link_injection_and_emphasis() -> None:
    md = Rendered(hostile_payload()).markdown()
    links = re.findall(r"\]\(([^)]*)\)", md)
    assert links == ["https://bbs.example.cn/t/101", "http://127.0.0.1:8000/incidents/12"]
    assert "http://evil" not in md and "evil.example" in md  # text kept, link broken
    assert "<script>" not in md and "<img" not in md
    assert "**加粗**" not in md and "`代码`" not in md and "# 标题" not in md
    assert "www.evil.cn" not in md
    assert "**一刀切全部关停**" in md  # our own highlight survives
    assert "{{ 7＊7 }}" in md
    assert md.rstrip().endswith("yuqing 舆情监测")  # DingTalk keyword security needs one


def test_javascript_urls_are_never_linked() -> None:
    data = payload()
    data["posts"][0]["url"] = "javascript:alert(1)"
    r = Rendered(data)
    assert "javascript:" not in r.html
    assert "javascript:" not in r.markdown()
    assert link_url("javascript:alert(1)") is None
    assert link_url("https://a.cn/x (1)") == "https://a.cn/x%20%281%29"


def test_a_link_with_a_line_break_is_dropped_not_encoded() -> None:
    """Messages used to percent-encode a control character into the link; the web dropped the
    link. Both drop it now (one check, yuqing.alerts.crawled_text.safe_url)."""
    data = payload()
    data["posts"][0]["url"] = "https://bbs.example.cn/t/1\nSet-Cookie: x"
    r = Rendered(data)
    assert r.view.posts[0].url is None
    everything = r.text + r.html + r.markdown()
    assert "Set-Cookie" not in everything and "%0A" not in everything


def test_rendering_is_deterministic() -> None:
    a, b = Rendered(hostile_payload()), Rendered(hostile_payload())
    assert (a.subject, a.text, a.html, a.markdown(), a.sms, a.data_bytes) == (
        b.subject,
        b.text,
        b.html,
        b.markdown(),
        b.sms,
        b.data_bytes,
    )


def test_markdown_byte_limit_drops_posts_first() -> None:
    data = payload()
    data["posts"] = [dict(data["posts"][0], id=i, snippet="长" * 200) for i in range(5)]
    full = Rendered(data).markdown()
    short = Rendered(data).markdown(max_bytes=2500)
    assert len(full.encode()) > 2500 >= len(short.encode())
    assert "查看并处置" in short  # the incident link survives, posts were dropped


def test_sms_is_short_and_has_no_post_text() -> None:
    r = Rendered(hostile_payload())
    assert len(r.sms) <= 140
    assert "evil" not in r.sms and "烧烤" not in r.sms
    assert r.sms.startswith("【一刀切关停预警】龙沙区生活服务业一刀切式关停3条")


def test_webhook_data_is_the_payload_plus_rendered_text() -> None:
    r = Rendered(payload())
    assert r.data["incident"]["id"] == 12
    assert r.data["message"]["subject"] == r.subject


def digest_payload(**digest: str) -> dict:
    return {
        "kind": "digest",
        "department": {"code": "lsq", "name": "龙沙区人民政府"},
        "digest": digest,
    }


def test_digest_payload_renders_line_by_line() -> None:
    r = Rendered(
        digest_payload(title="11月27日", text="新增事件 3 件\n[x](http://e.cn)", url="http://h/d/1")
    )
    assert r.subject == "【舆情日报】11月27日"
    assert "新增事件 3 件" in r.text
    assert "](http://e.cn)" not in r.markdown()


def test_weekly_digest_subject_reads_zhoubao_not_ribao() -> None:
    """Regression: weekly digests went out under the daily subject line 【舆情日报】."""
    data = digest_payload(
        period="weekly",
        title="龙沙区人民政府舆情周报（11月21日—11月27日）",
        text="统计范围：龙沙区（11月21日—11月27日）",
        url="http://h/digests/weekly/2026-11-27/lsq",
    )
    r = Rendered(data)
    assert r.subject == "【舆情周报】龙沙区人民政府舆情周报（11月21日—11月27日）"
    assert r.sms == f"{r.subject} http://h/digests/weekly/2026-11-27/lsq"
    for rendering in (r.text, r.html, r.markdown()):
        assert "【舆情周报】" in rendering and "日报" not in rendering
    daily = Rendered({**data, "digest": {**data["digest"], "period": "daily", "title": ""}})
    assert daily.subject == "【舆情日报】舆情日报"
    untitled = Rendered({**data, "digest": {"period": "weekly"}})
    assert untitled.subject == "【舆情周报】舆情周报"


def test_digest_sms_fits_with_its_link() -> None:
    url = "http://h/" + "d" * 60
    sms = Rendered(digest_payload(period="daily", title="很长" * 80, url=url)).sms
    assert len(sms) == 140 and sms.startswith("【舆情日报】很长") and sms.endswith(" " + url)


def test_md_escape_and_split_evidence_helpers() -> None:
    assert md_escape("a[b](c)\nd") == "a［b］（c） d"
    assert split_evidence("甲一刀切乙", ["一刀切"]) == [
        ("甲", False),
        ("一刀切", True),
        ("乙", False),
    ]
    assert split_evidence("", ["x"]) == []
    assert split_evidence("鹅被拆了", ["鹅", "拆了"]) == [("鹅被", False), ("拆了", True)]
