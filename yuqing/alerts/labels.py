"""Alert labels: the names yuqing sets, sector names in Chinese, titles.

Every alert carries ``rule`` and ``severity``; post and surge alerts carry ``district`` (empty
when the post names none) and ``sector``; source-failing alerts carry ``source``; post alerts
carry ``custom.NAME`` for each custom classifier's prediction; a rule may add its own ``labels``.
A label that is absent reads as the empty string (as in Alertmanager).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yuqing.config.rules import BUILTIN_LABELS
from yuqing.config.vocab import SECTOR_NAMES, SECTORS

SEVERITY_NAMES: dict[str, str] = {"high": "紧急", "medium": "重要", "normal": "一般"}
STATUS_NAMES: dict[str, str] = {"open": "待签收", "acknowledged": "已签收", "resolved": "已办结"}

Labels = dict[str, str]

__all__ = [
    "BUILTIN_LABELS",
    "SECTORS",
    "SECTOR_NAMES",
    "SEVERITY_NAMES",
    "STATUS_NAMES",
    "Labels",
    "custom_labels",
    "label_key",
    "sector_name",
    "title",
]


def sector_name(code: str | None) -> str:
    """The Chinese name of a sector code (the code itself when unknown, "" for none)."""
    if not code:
        return ""
    return SECTOR_NAMES.get(code, code)


def custom_labels(custom: Mapping[str, Any] | None) -> Labels:
    """``custom.NAME`` labels from a post's custom tags (None and "" are left out)."""
    if not custom:
        return {}
    out: Labels = {}
    for name, value in custom.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dict):
            inner = value.get("label", value.get("value"))
            if inner is None:
                continue
            text = str(inner)
        else:
            text = str(value)
        out[f"custom.{name}"] = text
    return out


def label_key(labels: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable, order-independent form of a label set."""
    return tuple(sorted(labels.items()))


def format_labels(labels: Mapping[str, str]) -> str:
    return " ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))


def title(rule_title: str, labels: Mapping[str, str]) -> str:
    """``龙沙区 生活服务业 一刀切式关停``; source alerts read ``采集源失败：demo-board``."""
    source = labels.get("source", "")
    if source:
        return f"{rule_title}：{source}"
    parts = [labels.get("district", "")]
    sector = labels.get("sector", "")
    if sector and sector != "other":
        parts.append(sector_name(sector))
    parts.append(rule_title)
    return " ".join(p for p in parts if p)


# Structured resolution (issue 13, yuqing.alerts.resolution): field names and values in Chinese.
RESOLUTION_FIELD_NAMES: dict[str, str] = {
    "verification": "核实结果",
    "verified": "是否属实",
    "production_restored": "是否已恢复生产经营",
    "public_response": "群众回应情况",
    "public_response_note": "回应说明",
}
VERIFIED_NAMES: dict[str, str] = {"true": "属实", "partly": "部分属实", "false": "不属实"}
PRODUCTION_RESTORED_NAMES: dict[str, str] = {"yes": "是", "no": "否", "na": "不适用"}
PUBLIC_RESPONSE_NAMES: dict[str, str] = {"replied": "已回应", "not_replied": "未回应"}


# Exports (issue 13): Chinese column names by default (codes on request: --codes, ?codes=1).
EXPORT_COLUMN_NAMES: dict[str, str] = {
    # v_posts
    "post_id": "帖文编号",
    "source": "来源",
    "url": "链接",
    "title": "标题",
    "text": "正文",
    "author_hash": "作者（匿名编号）",
    "published_at": "发布时间",
    "published_day": "发布日期",
    "fetched_at": "采集时间",
    "cluster_id": "相似帖文组",
    "parent_id": "所属主帖",
    "likes": "点赞数",
    "replies": "回复数",
    "reposts": "转发数",
    "tagged": "是否已研判",
    "model_version": "研判版本",
    "shutdown": "关停",
    "shutdown_score": "关停评分",
    "blanket": "一刀切",
    "blanket_score": "一刀切评分",
    "complaint": "群众投诉",
    "complaint_score": "投诉评分",
    "sector": "行业",
    "sector_score": "行业评分",
    "district": "区县",
    "district_match": "区县依据",
    "licensed": "证照齐全",
    "licensed_score": "证照齐全评分",
    "tagged_at": "研判时间",
    # v_incidents
    "incident_id": "事件编号",
    "rule": "预警类型",
    "severity": "级别",
    "status": "状态",
    "post_count": "帖文数",
    "first_post_at": "首条帖文时间",
    "last_post_at": "最新帖文时间",
    "opened_at": "发现时间",
    "opened_day": "发现日期",
    "due_at": "处置时限",
    "acknowledged_at": "签收时间",
    "acknowledged_by": "签收人",
    "assigned_to": "承办人",
    "resolved_at": "办结时间",
    "resolved_by": "办结人",
    "resolution": "办理结果",
    "escalation_level": "升级督办级别",
    "escalated_at": "升级督办时间",
    "minutes_to_acknowledge": "签收用时（分钟）",
    "minutes_to_resolve": "办结用时（分钟）",
    "overdue": "是否超时",
    "departments": "接收单位",
    "merged_into": "并入事件编号",  # issue 13: merged into that incident (the same event)
    "merged_at": "并入时间",
    **RESOLUTION_FIELD_NAMES,
}
YES_NO: dict[int, str] = {1: "是", 0: "否"}
# 0/1 columns shown as 是/否
FLAG_COLUMNS = frozenset({"tagged", "shutdown", "blanket", "complaint", "licensed", "overdue"})


# Audit entries in Chinese (issue 13, yuqing.alerts.audit_text): detail keys as officers read
# them, in the order they are shown.
AUDIT_DETAIL_NAMES: dict[str, str] = {
    "rule": "预警类型",
    "note": "说明",
    **RESOLUTION_FIELD_NAMES,
    "assignee": "指派给",
    "previous": "原承办人",
    "level": "督办级别",
    "to": "通知单位",
    "overdue_minutes": "超期（分钟）",
    "department": "部门",
    "reason": "原因",
    "incident": "事件",
    "incidents": "事件",
    "post": "帖文",
    "fields": "标签",
    "changes": "修改",
    "matchers": "静默条件",
    "starts_at": "开始",
    "ends_at": "结束",
    "comment": "说明",
    "role": "角色",
    "display_name": "姓名",
    "address": "来源地址",
    "delay_s": "需等待（秒）",
    "cleared": "解除次数",
    "sessions_ended": "结束的会话",
    "format": "格式",
    "from": "起",
    "until": "止",
    "sector": "行业",
    "district": "区县",
    "codes": "使用代码",
    "rows": "行数",
    "sql": "查询语句",
    "source": "采集源",
}
TAG_NAMES: dict[str, str] = {
    "shutdown": "关停",
    "blanket": "一刀切",
    "complaint": "群众投诉",
    "sector": "行业",
    "district": "区县",
    "licensed": "证照齐全",
    "false_positive": "误报",
}
ROLE_NAMES: dict[str, str] = {"admin": "管理员", "officer": "承办人员", "analyst": "分析人员"}
AUDIT_OBJECT_NAMES: dict[str, str] = {
    "incident": "事件",
    "user": "用户",
    "silence": "静默",
    "triage": "待研判",
    "post": "帖文",
    "export": "导出",
    "sql": "只读查询",
    "source": "采集源",
    "address": "来源地址",
    "digest": "简报",
}


# Channels and routes in plain Chinese (issue 13): never ``email#0`` or ``routes[21]``.
CHANNEL_NAMES: dict[str, str] = {
    "email": "邮件",
    "webhook": "Webhook",
    "dingtalk": "钉钉",
    "wecom": "企业微信",
    "feishu": "飞书",
    "sms": "短信",
    "apprise": "消息推送",
    "file": "文件",
}
LABEL_NAMES: dict[str, str] = {
    "rule": "预警类型",
    "severity": "级别",
    "sector": "行业",
    "district": "区县",
    "source": "采集源",
}


def channel_name(channel: str | None) -> str:
    """``email#0`` → 邮件, ``dingtalk#2`` → 钉钉 (an unknown type reads as itself)."""
    if not channel:
        return ""
    kind = channel.split("#", 1)[0]
    return CHANNEL_NAMES.get(kind, kind)
