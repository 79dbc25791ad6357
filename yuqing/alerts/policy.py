"""Policy citations: which notice and clause an incident falls under, and what to do.

:func:`cite` is the one place that decides. Given the configured notices (config/policy.yaml),
an incident's rule and sector and the posts' texts, it returns a :class:`Citation`: the notice,
the clause that matched, the trigger phrase and the post that used it, and the 处置指引 steps.
Alert messages (through the outbox payload, :func:`payload_citation`), the incident page
(:func:`citation_for_incident`) and digests all call it, so they cite the same clause.

Choosing the clause: among the clauses whose trigger phrase occurs in a post, one about the
incident's sector wins over a general one, then the earlier clause in the file; the first post
(in the order given, most relevant first) that uses it is the one cited. With no phrase found,
the notice's clause for the incident's sector, else its ``default_clause``, is cited without a
phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.config import Config
from yuqing.config.policy import Clause, Notice, PolicyFile
from yuqing.store.models import Incident, IncidentPost, Post

MAX_POSTS = 200


@dataclass(frozen=True)
class PostText:
    id: int | None
    title: str
    text: str


def notice_ref(notice: Notice) -> str:
    """《title》（number，date）: what is empty is left out (the shipped notice has neither)."""
    extra = [notice.number]
    if notice.date is not None:
        d = notice.date
        extra.append(f"{d.year}年{d.month}月{d.day}日")
    inner = "，".join(e for e in extra if e)
    return f"《{notice.title}》" + (f"（{inner}）" if inner else "")


@dataclass(frozen=True)
class Citation:
    notice: Notice
    clause: Clause | None
    phrase: str | None  # the trigger phrase found, None when none was
    post_id: int | None
    post_title: str
    guidance_title: str
    guidance: tuple[str, ...]

    @property
    def notice_ref(self) -> str:
        return notice_ref(self.notice)

    @property
    def clause_ref(self) -> str:
        if self.clause is None:
            return ""
        return f"{self.clause.cited_as}：{self.clause.title}"

    @property
    def reference(self) -> str:
        """One line: 《…》 总体要求：严禁“一刀切”."""
        return " ".join(p for p in (self.notice_ref, self.clause_ref) if p)

    @property
    def match_text(self) -> str:
        """Which phrase in which post: 帖文“……”中出现“先停再说”."""
        if not self.phrase:
            return "帖文中未出现条款所列的具体表述，按通知总体要求处置"
        title = self.post_title or "（无标题）"
        return f"帖文“{title}”中出现“{self.phrase}”"

    def as_dict(self) -> dict[str, Any]:
        """The citation as JSON-able facts (outbox payloads, exports)."""
        return {
            "notice": {
                "code": self.notice.code,
                "title": self.notice.title,
                "number": self.notice.number,
                "date": self.notice.date.isoformat() if self.notice.date else None,
                "url": self.notice.url,
                "issuer": self.notice.issuer,
            },
            "clause": (
                {
                    "code": self.clause.code,
                    "label": self.clause.cited_as,
                    "title": self.clause.title,
                    "summary": self.clause.summary,
                }
                if self.clause is not None
                else None
            ),
            "phrase": self.phrase,
            "post_id": self.post_id,
            "post_title": self.post_title,
            "reference": self.reference,
            "match": self.match_text,
            "guidance_title": self.guidance_title,
            "guidance": list(self.guidance),
        }


def phrases_in(notice: Notice, text: str) -> list[tuple[Clause, str]]:
    """(clause, phrase) for every trigger phrase of ``notice`` that occurs in ``text``."""
    return [(c, p) for c in notice.clauses for p in c.triggers if p in text]


def cite(
    policy: PolicyFile, rule: str, sector: str | None, posts: Iterable[PostText]
) -> Citation | None:
    """The citation for an incident of ``rule`` in ``sector`` (None when no notice applies)."""
    notice = policy.for_rule(rule)
    if notice is None:
        return None
    order = {c.code: i for i, c in enumerate(notice.clauses)}
    best: tuple[tuple[int, int], Clause, str, PostText] | None = None
    for post in posts:
        for clause, phrase in phrases_in(notice, f"{post.title}\n{post.text}"):
            specific = 0 if sector and sector in clause.sectors else 1
            key = (specific, order[clause.code])
            if best is None or key < best[0]:
                best = (key, clause, phrase, post)
    if best is not None:
        _, clause, phrase, post = best
        return _citation(policy, notice, clause, phrase, post.id, post.title)
    fallback = next((c for c in notice.clauses if sector and sector in c.sectors), None)
    if fallback is None and notice.default_clause is not None:
        fallback = notice.clause(notice.default_clause)
    return _citation(policy, notice, fallback, None, None, "")


def _citation(
    policy: PolicyFile,
    notice: Notice,
    clause: Clause | None,
    phrase: str | None,
    post_id: int | None,
    post_title: str,
) -> Citation:
    return Citation(
        notice, clause, phrase, post_id, post_title, policy.guidance_title, tuple(policy.guidance)
    )


def citation_for_incident(session: Session, config: Config, inc: Incident) -> Citation | None:
    """The citation for a stored incident, reading its posts (most recent first)."""
    if config.policy.for_rule(inc.rule) is None:
        return None
    rows = session.execute(
        select(Post.id, Post.title, Post.text)
        .join(IncidentPost, IncidentPost.post_id == Post.id)
        .where(IncidentPost.incident_id == inc.id)
        .order_by(Post.published_at.desc(), Post.id)
        .limit(MAX_POSTS)
    )
    posts = [PostText(pid, title or "", text or "") for pid, title, text in rows]
    return cite(config.policy, inc.rule, inc.sector, posts)


def citations_for_incidents(
    session: Session, config: Config, incidents: Sequence[Incident]
) -> dict[int, Citation]:
    """:func:`citation_for_incident` for several incidents (those no notice applies to are
    left out)."""
    out: dict[int, Citation] = {}
    for inc in incidents:
        c = citation_for_incident(session, config, inc)
        if c is not None:
            out[inc.id] = c
    return out


def payload_citation(
    config: Config, rule: str, sector: str | None, posts: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The citation for an outbox payload, from its top posts (``policy_hits`` lists the trigger
    phrases found in each post's full text; see ``outbox_rows.top_posts``)."""
    if config.policy.for_rule(rule) is None:
        return None
    texts = [
        PostText(p.get("id"), str(p.get("title") or ""), "\n".join(p.get("policy_hits") or []))
        for p in posts
    ]
    c = cite(config.policy, rule, sector, texts)
    return c.as_dict() if c is not None else None
