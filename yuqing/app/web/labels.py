"""Chinese names for the values the pages show."""

from __future__ import annotations

from yuqing.alerts.labels import SECTOR_NAMES as _SECTOR_NAMES
from yuqing.alerts.labels import SEVERITY_NAMES, STATUS_NAMES

SEVERITY_ZH: dict[str, str] = dict(SEVERITY_NAMES)  # 紧急 / 重要 / 一般
SEVERITIES = ("high", "medium", "normal")
STATUS_ZH: dict[str, str] = dict(STATUS_NAMES)
STATUSES = ("open", "acknowledged", "resolved")
KIND_ZH = {
    "firing": "预警通知",
    "repeat": "重复提醒",
    "escalation": "升级督办",
    "resolved": "办结通知",
    "digest": "日报/周报",
}
NOTIFICATION_STATUS_ZH = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已送达",
    "dead": "发送失败",
}
HEALTH_ZH = {"ok": "正常", "degraded": "降级", "failing": "故障", "unknown": "未知"}
RUN_STATUS_ZH = {
    "running": "运行中",
    "ok": "成功",
    "failed": "失败",
    "timeout": "超时",
    "stopped": "已中断",
}
DEPARTMENT_KIND_ZH = {"bureau": "市直部门", "district": "区县政府", "office": "办公室"}
TAG_ZH = {
    "shutdown": "关停",
    "blanket": "一刀切",
    "complaint": "投诉",
    "sector": "行业",
    "district": "区县",
    "licensed": "证照齐全",
    "false_positive": "误报",
}
ACTION_ZH = {
    "login": "登录",
    "login.failed": "登录失败",
    "login.blocked": "登录受限",
    "logout": "退出",
    "user.create": "创建用户",
    "user.update": "修改用户",
    "user.password": "修改密码",
    "feedback": "标签反馈",
    "sql.query": "只读查询",
    "export": "导出",
    "acknowledge": "签收",
    "bulk_acknowledge": "批量签收",
    "assign": "指派",
    "note": "备注",
    "add_note": "备注",
    "resolve": "办结",
    "escalate": "升级督办",
    "open": "开立",
    "suppress": "通知被抑制",
    "false_positive": "标记误报",
    "correct": "纠正标签",
    "incident.merge": "并入上级事件",
    "incident.absorb": "并入下级事件",
    "incident.feedback": "协办反馈",
    "incident.part_done": "协办完成",
    "silence.create": "创建静默",
    "silence.expire": "结束静默",
    # issue 13: the rest of what the audit log records, so no action shows as its code
    "login.unlock": "解除登录限制",
    "login.address_limit": "登录受限（来源地址）",
    "triage.queue": "转入待研判",
    "triage.confirm": "研判确认",
    "triage.reject": "研判排除",
    "source_confirm": "确认采集源",
}
# Actors that are not people: the command line and the demo (the service itself is 系统).
ACTOR_ZH = {"cli": "命令行", "yuqing demo": "演示程序"}

SECTOR_NAMES: dict[str, str] = dict(_SECTOR_NAMES)
SECTORS: tuple[str, ...] = tuple(SECTOR_NAMES)


def action_zh(action: str) -> str:
    if action in ACTION_ZH:
        return ACTION_ZH[action]
    tail = action.rsplit(".", 1)[-1]
    return ACTION_ZH.get(tail, action)
