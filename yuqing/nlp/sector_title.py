"""The trade a post's title names (issue 11, sector 3rd pass).

Real appeals name the business they are about in the subject line (…福利厂生产噪音扰民,
投诉…私自安装油烟管道, 无证黑作坊…, 请求关闭…KTV) and then tell a long story — wages, pensions,
land, a court case, the residents' lives — in words the corpus writes about `other`. The
sector model sees the title's cue terms as features (``k:t.sector.…``) but weighs them like any
other column; here each sector that a cue term of the title names has its probability
multiplied by :data:`TITLE_FACTOR` (then renormalized). Words that any trade's business can
carry (公司, 企业, 项目 …) name no trade and do not count; a term that a village or town name ends
on is dropped by the cue matcher already (:func:`yuqing.nlp.cues._place_name`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from yuqing.nlp.cues import CueHit

# Chosen on realdev and the authored dev split (yuqing/nlp/README.md, rows 19), with the weight
# of `other` (tagger.SECTOR_WEIGHTS) 0.7: ×3 / ×4 / ×5 / ×6 realdev weighted F1 0.802 / 0.805 /
# 0.808 / 0.808 (macro 0.713 / 0.748 / 0.749 / 0.749: one scattered_pollution post), the dev
# split 0.916 / 0.915 / 0.914 / 0.914 (the harness's figures; ×1: realdev 0.631 / 0.786, dev 0.916).
TITLE_FACTOR = 5.0
# Sector cue terms that name no trade in a title: an organisation or a kind of work (a company,
# an enterprise, a project, municipal works, a park's management committee), a zone named as the
# address (A市高新区某公寓停水, 经开区某公园项目), and 制造 (制造噪音: a verb). Checked on 1,500
# tipdm messages outside realdev: these words in a title were mostly addresses and verbs.
GENERIC_TERMS = frozenset(
    {"公司", "企业", "项目", "工程", "市政", "管委会", "开发区", "经开区", "高新区", "制造"}
)


def title_sectors(cues: Iterable[CueHit], title_len: int) -> set[str]:
    """The sectors that the title's cue terms name (without the generic terms)."""
    return {
        c.removeprefix("sector.")
        for h in cues
        if h.end <= title_len and h.term not in GENERIC_TERMS
        for c in h.categories
        if c.startswith("sector.")
    }


def weigh_title(
    p: np.ndarray, classes: Sequence[str], sectors: set[str], factor: float = TITLE_FACTOR
) -> np.ndarray:
    """The sector probabilities with those of ``sectors`` multiplied by ``factor``,
    renormalized; ``p`` itself when the title names no sector."""
    if not sectors:
        return p
    w = np.array([factor if c in sectors else 1.0 for c in classes])
    q = np.asarray(p, dtype=float) * w
    total = q.sum()
    return q / total if total > 0 else np.asarray(p, dtype=float)
