"""Render an outbox payload (the facts, see notes/alerts-contract.md) into Chinese messages.

One view is built from the payload, then rendered per channel with the Jinja2 templates in
``alerts/templates``: e-mail HTML (autoescaped) and plain text, chat-robot markdown, SMS text,
and the webhook's JSON. Rendering is deterministic: the same payload gives the same bytes.

Crawled text (titles, snippets, evidence) and officers' notes are hostile input. HTML is
autoescaped. Markdown gets the same treatment through ``finalize``: every ``{{ value }}`` is
neutralized unless the code marked it :class:`MdSafe` (URLs checked and link-safe encoded by
``crawled_text.link_url``; evidence highlighted by ``crawled_text.split_evidence``).
Neutralizing replaces markdown's active characters by their full-width forms (``[`` → ``［``)
and breaks ``://``, because robot renderers (DingTalk, WeCom) do not honour backslash escapes.
Jinja never evaluates template syntax inside values, so ``{{ 7*7 }}`` in a post stays literal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from yuqing.alerts.channels.http import json_bytes
from yuqing.alerts.crawled_text import link_url, split_evidence
from yuqing.alerts.labels import (
    PRODUCTION_RESTORED_NAMES,
    PUBLIC_RESPONSE_NAMES,
    RESOLUTION_FIELD_NAMES,
    SEVERITY_NAMES,
    STATUS_NAMES,
    VERIFIED_NAMES,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"

RULE_PREFIX = {
    "blanket-shutdown": "【一刀切关停预警】",
    "shutdown-report": "【关停舆情预警】",
    "complaint": "【投诉舆情】",
    "surge": "【投诉激增预警】",
    "source-failing": "【采集源故障】",
}
DEFAULT_PREFIX = "【舆情预警】"
KIND_PREFIX = {"repeat": "【提醒】", "escalation": "【升级督办】", "resolved": "【已办结】"}
DIGEST_NAME = {"daily": "舆情日报", "weekly": "舆情周报"}  # by digests.period
SEVERITY_ZH = SEVERITY_NAMES  # 紧急 / 重要 / 一般, the words the web shows too
STATUS_ZH = STATUS_NAMES
MAX_POSTS = 5
MAX_SNIPPET = 200
MAX_EVIDENCE = 20
SMS_MAX_CHARS = 140
RESOLUTION_CHOICES = {
    "verified": VERIFIED_NAMES,
    "production_restored": PRODUCTION_RESTORED_NAMES,
    "public_response": PUBLIC_RESPONSE_NAMES,
}

_MD_ACTIVE = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "<": "＜",
        ">": "＞",
        "#": "＃",
        "|": "｜",
        "~": "～",
        "\\": "＼",
        "!": "！",
        "&": "＆",
    }
)
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class MdSafe(str):
    """A string the markdown templates emit as is (built by code, never crawled text)."""

    __slots__ = ()


def one_line(value: Any) -> str:
    """Text on one line: control characters dropped, whitespace runs collapsed."""
    return _SPACE.sub(" ", _CONTROL.sub("", str(value))).strip()


def md_escape(value: Any) -> str:
    """Neutralize markdown in untrusted text: no links, emphasis, headings, HTML or autolinks."""
    text = one_line(value).translate(_MD_ACTIVE)
    return text.replace("://", "：//").replace("www.", "www．")


def _md_finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, MdSafe | int | float):
        return value
    return md_escape(value)


@dataclass(frozen=True)
class PostView:
    title: str
    url: str | None
    md_url: MdSafe | None
    source: str
    published: str
    parts: list[tuple[str, bool]]
    evidence: list[str]


@dataclass
class View:
    kind: str
    prefix: str
    subject: str
    department: str
    facts: list[tuple[str, str]]
    notes: list[str]
    url: str | None
    md_url: MdSafe | None
    posts: list[PostView] = field(default_factory=list)
    sms: str = ""
    guidance_title: str = ""
    guidance: list[str] = field(default_factory=list)  # 处置指引 steps (policy citations)
    body_lines: list[str] = field(default_factory=list)  # digests: their own text


class Formatter:
    def __init__(self, timezone: str) -> None:
        self.tz = ZoneInfo(timezone)

    def time(self, value: Any, with_date: bool = True) -> str:
        if not value:
            return "未知"
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return one_line(value)
        if dt.tzinfo is not None:
            dt = dt.astimezone(self.tz)
        return f"{dt.month}月{dt.day}日 {dt:%H:%M}" if with_date else f"{dt:%H:%M}"


def build_view(
    payload: Mapping[str, Any], timezone: str, department_names: Mapping[str, str]
) -> View:
    """The facts of one notification, as Chinese phrases (still unescaped)."""
    fmt = Formatter(timezone)
    kind = str(payload.get("kind") or "firing")
    dept = payload.get("department") or {}
    dept_name = one_line(dept.get("name") or dept.get("code") or "")
    if kind == "digest":
        return _digest_view(payload, dept_name)
    inc: Mapping[str, Any] = payload.get("incident") or {}
    rule = str(inc.get("rule") or "")
    title = one_line(inc.get("title") or inc.get("rule_description") or rule)
    count = int(inc.get("post_count") or 0)
    district = one_line(inc.get("district") or "未识别")
    sector = one_line(inc.get("sector_name") or inc.get("sector") or "未识别")
    description = one_line(inc.get("rule_description") or rule)
    due = fmt.time(inc.get("due_at"))
    ack = inc.get("acknowledged_by")

    rule_prefix = RULE_PREFIX.get(rule, DEFAULT_PREFIX)
    prefix = KIND_PREFIX.get(kind, rule_prefix)
    if kind == "repeat":
        subject = f"{prefix}{title}{'尚未办结' if ack else '尚未签收'}（{count}条）"
    elif kind == "escalation":
        subject = f"{prefix}{title}超时未处置（{count}条）"
    elif kind == "resolved":
        subject = f"{prefix}{title}"
    else:
        subject = f"{prefix}{title}（{count}条）"

    facts = [
        ("接收单位", dept_name),
        ("事件", description),
        ("地区", district),
        ("行业", sector),
        ("级别", SEVERITY_ZH.get(str(inc.get("severity")), one_line(inc.get("severity") or ""))),
        ("相关帖文", f"{count} 条（转发只计一次）"),
        ("首次发现", fmt.time(inc.get("first_post_at") or inc.get("opened_at"))),
        ("最近帖文", fmt.time(inc.get("last_post_at"))),
        ("当前状态", STATUS_ZH.get(str(inc.get("status")), one_line(inc.get("status") or ""))),
    ]
    policy = payload.get("policy") if kind != "resolved" else None
    guidance_title, guidance = "", []
    if isinstance(policy, Mapping):
        facts += policy_facts(policy)
        guidance_title = one_line(policy.get("guidance_title") or "处置指引")
        guidance = [one_line(g) for g in policy.get("guidance") or [] if str(g).strip()]
    notes: list[str] = []
    if kind == "firing":
        notes.append(f"请于 {due} 前签收处置。")
    elif kind == "repeat":
        if ack:
            when = fmt.time(inc.get("acknowledged_at"))
            notes.append(
                f"该事件已由 {one_line(ack)} 于 {when} 签收，尚未办结，请于 {due} 前办结。"
            )
        else:
            notes.append(f"该事件尚未签收，请于 {due} 前签收处置。")
    elif kind == "escalation":
        esc = payload.get("escalation") or {}
        origin = [department_names.get(c, c) for c in esc.get("from_departments") or []]
        overdue = esc.get("overdue_minutes")
        notes.append(
            f"第 {esc.get('level', 1)} 级督办：该事件已超过处置时限（{due}）"
            + (f" {overdue} 分钟" if overdue is not None else "")
            + "仍未签收。"
        )
        if origin:
            notes.append("原责任单位：" + "、".join(one_line(o) for o in origin) + "。")
    elif kind == "resolved":
        who = one_line(inc.get("resolved_by") or "未知")
        notes.append(f"该事件已由 {who} 于 {fmt.time(inc.get('resolved_at'))} 办结。")
        if inc.get("resolution"):
            notes.append(f"办结说明：{one_line(inc['resolution'])}")
        notes += outcome_notes(inc.get("outcome") or {})
    url = link_url(inc.get("url"))
    posts = [_post_view(p, fmt) for p in list(payload.get("posts") or [])[:MAX_POSTS]]
    sms = _sms(prefix, district, sector, description, count, due, kind, url)
    return View(
        kind,
        prefix,
        subject,
        dept_name,
        facts,
        notes,
        url,
        MdSafe(url) if url else None,
        posts,
        sms,
        guidance_title,
        guidance,
    )


def outcome_notes(outcome: Mapping[str, Any]) -> list[str]:
    """The structured resolution as notes: 是否属实：部分属实 …"""
    out = []
    for key, name in RESOLUTION_FIELD_NAMES.items():
        value = outcome.get(key)
        if value:
            shown = RESOLUTION_CHOICES.get(key, {}).get(str(value), str(value))
            out.append(f"{name}：{one_line(shown)}")
    return out


def policy_facts(policy: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The citation as message facts: 政策依据, 命中条款, 条款要点, 文件链接."""
    out = [("政策依据", one_line(policy.get("reference") or ""))]
    out.append(("命中情况", one_line(policy.get("match") or "")))
    clause = policy.get("clause") or {}
    if clause.get("summary"):
        out.append(("条款要点", one_line(clause["summary"])))
    notice_url = link_url((policy.get("notice") or {}).get("url"))
    if notice_url:
        out.append(("文件链接", notice_url))
    return [(k, v) for k, v in out if v]


def _post_view(post: Mapping[str, Any], fmt: Formatter) -> PostView:
    evidence = [one_line(e) for e in (post.get("evidence") or []) if isinstance(e, str)]
    evidence = [e for e in evidence if e][:MAX_EVIDENCE]
    snippet = one_line(post.get("snippet") or "")[:MAX_SNIPPET]
    url = link_url(post.get("url"))
    return PostView(
        title=one_line(post.get("title") or "（无标题）"),
        url=url,
        md_url=MdSafe(url) if url else None,
        source=one_line(post.get("source_title") or post.get("source") or ""),
        published=fmt.time(post.get("published_at")),
        parts=split_evidence(snippet, evidence),
        evidence=evidence,
    )


def _sms(
    prefix: str,
    district: str,
    sector: str,
    description: str,
    count: int,
    due: str,
    kind: str,
    url: str | None,
) -> str:
    what = description.split("（", 1)[0]
    action = {
        "resolved": "已办结。",
        "escalation": f"已超时（时限{due}），请督办。",
    }.get(kind, f"请于{due}前签收处置。")
    text = f"{prefix}{district}{sector}{what}{count}条，{action}"
    if url:
        room = SMS_MAX_CHARS - len(url) - 1
        return (text[: max(room, 0)] + " " + url).strip()
    return text[:SMS_MAX_CHARS]


def _digest_view(payload: Mapping[str, Any], dept_name: str) -> View:
    digest: Mapping[str, Any] = payload.get("digest") or {}
    name = DIGEST_NAME.get(str(digest.get("period") or "daily"), DIGEST_NAME["daily"])
    prefix = f"【{name}】"
    title = one_line(digest.get("title") or name)
    url = link_url(digest.get("url"))
    sms = f"{prefix}{title}"[: max(SMS_MAX_CHARS - (len(url) + 1 if url else 0), 0)]
    return View(
        kind="digest",
        prefix=prefix,
        subject=f"{prefix}{title}",
        department=dept_name,
        facts=[("接收单位", dept_name)],
        notes=[],
        url=url,
        md_url=MdSafe(url) if url else None,
        sms=sms + (f" {url}" if url else ""),
        body_lines=[line for line in str(digest.get("text") or "").splitlines() if line.strip()],
    )


def _environment(markdown: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=(lambda name: bool(name and name.endswith(".html.j2"))),
        finalize=_md_finalize if markdown else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


_PLAIN = _environment(markdown=False)
_MARKDOWN = _environment(markdown=True)


class Rendered:
    """Every rendering of one payload (computed on first use)."""

    def __init__(
        self,
        payload: Mapping[str, Any],
        timezone: str = "Asia/Shanghai",
        department_names: Mapping[str, str] | None = None,
    ) -> None:
        self.payload = dict(payload)
        self.view = build_view(payload, timezone, department_names or {})

    @property
    def subject(self) -> str:
        return self.view.subject

    @property
    def sms(self) -> str:
        return self.view.sms

    @cached_property
    def text(self) -> str:
        return _PLAIN.get_template("email.txt.j2").render(v=self.view)

    @cached_property
    def html(self) -> str:
        return _PLAIN.get_template("email.html.j2").render(v=self.view)

    def markdown(self, heading: bool = True, max_bytes: int | None = None) -> str:
        """Robot markdown; with ``max_bytes``, drops posts (then cuts) until it fits."""
        template = _MARKDOWN.get_template("message.md.j2")
        posts = list(self.view.posts)
        while True:
            text = template.render(v=self.view, posts=posts, heading=heading)
            if max_bytes is None or len(text.encode()) <= max_bytes:
                return text
            if not posts:
                return text.encode()[: max_bytes - 3].decode(errors="ignore") + "…"
            posts.pop()

    @cached_property
    def data(self) -> dict[str, Any]:
        """The webhook body: the payload itself plus the rendered subject and text."""
        return {**self.payload, "message": {"subject": self.subject, "text": self.text}}

    @cached_property
    def data_bytes(self) -> bytes:
        return json_bytes(self.data)
