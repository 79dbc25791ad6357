"""Why a post counts where it does (issue 13), for ``yuqing routes test --post``: which of
the rules it fires are not counted again because a higher one of the same event takes
precedence, which open incident would absorb it, and the incidents it is listed in. The
reasons are the Chinese texts officers read on the incident page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.alerts import precedence
from yuqing.alerts.context import AlertContext
from yuqing.config.rules import AlertRule
from yuqing.store.models import Incident, IncidentPost


def post_precedence(
    session: Session,
    ctx: AlertContext,
    post_id: int,
    hits: list[tuple[AlertRule, dict[str, str]]],
) -> list[str]:
    """Lines ``precedence: …`` (reasons in Chinese) and ``listed in #N …``."""
    rules = precedence.merge_rules(ctx.inhibit_rules)
    out: list[str] = []
    nodes = [
        precedence.Node(f"hit:{r.name}", labels, r.severity, None, "", r.short_title)
        for r, labels in hits
    ]
    for inc in session.scalars(select(Incident).where(Incident.status != "resolved")):
        rule = ctx.rules.by_name.get(inc.rule)
        nodes.append(
            precedence.Node(
                inc.fingerprint,
                dict(inc.labels),
                inc.severity,
                inc.id,
                inc.title,
                rule.short_title if rule is not None else inc.rule,
            )
        )
    precedence.resolve(rules, nodes)
    for n in nodes[: len(hits)]:
        high = precedence.top(n)
        if high is n:
            continue
        out.append(f"precedence: {precedence.reason_zh(n.rule_title, high, n.via)}")
    titles = {r.name: r.short_title for r in ctx.config.rules.rules}
    for inc_id, title, via, moved, merged_into in session.execute(
        select(
            Incident.id,
            Incident.title,
            IncidentPost.via_rule,
            IncidentPost.moved_from,
            Incident.merged_into,
        )
        .join(IncidentPost, IncidentPost.incident_id == Incident.id)
        .where(IncidentPost.post_id == post_id)
        .order_by(Incident.id)
    ):
        line = f"listed in #{inc_id} {title}"
        if merged_into is not None:
            line += f" — 已并入 #{merged_into}"
        if moved is not None:
            line += f" — 由事件 #{moved} 并入"
        elif via:
            lower = "、".join(f"「{titles.get(v, v)}」" for v in via.split(",") if v)
            line += f" — 该帖文符合{lower}规则，按优先级只计入本事件，不再单独立案"
        out.append(line)
    return out
