"""Benchmark scale: N posts made by deterministic variation of the written ones.

Variant ``k`` (k >= 1) of post ``i`` gets id ``i + k * ID_STRIDE``, a shifted age inside the same
14 days, and small text edits (a prefix or suffix, a changed number, a punctuation change) that
keep its labels true. Held (live) and pinned posts are never varied.
"""

from __future__ import annotations

import copy
import random
import re

from yuqing.crawler.demo_site.content import MAX_AGE_MINUTES, Post

ID_STRIDE = 100_000
MIN_SCALE = 5_000

_PREFIXES = ("", "", "再反映一次：", "补充一下，", "求扩散！", "【求助】", "续：", "有没有人管？")
_SUFFIXES = ("", "", "", "。", "！", "……", " 求关注", " 望回复", " 谢谢", "[怒]", "[泪]")
_DIGIT = re.compile(r"(?<![0-9])([2-9])(?![0-9])")


def _vary_text(text: str, rng: random.Random) -> str:
    if rng.random() < 0.3:
        text = _DIGIT.sub(lambda m: str(int(m.group(1)) + rng.choice((-1, 1))), text, count=1)
    if rng.random() < 0.3:
        text = text.replace("，", ",", 1)
    varied = rng.choice(_PREFIXES) + text + rng.choice(_SUFFIXES)
    return varied if varied != text else text + rng.choice(_SUFFIXES[3:])


def scale_posts(posts: list[Post], total: int, seed: int = 20240) -> list[Post]:
    """The written posts plus variants until there are ``total`` posts (at least the originals)."""
    if total <= len(posts):
        return list(posts)
    if max(p["id"] for p in posts) >= ID_STRIDE:
        raise ValueError(f"post ids must stay below {ID_STRIDE} to be scaled")
    rng = random.Random(seed)
    sources = [p for p in posts if not {"held", "pinned"} & set(p["flags"])]
    out = list(posts)
    k = 0
    while len(out) < total:
        k += 1
        for base in sources:
            if len(out) >= total:
                break
            post = copy.deepcopy(base)
            post["id"] = base["id"] + k * ID_STRIDE
            post["age"] = (base["age"] + k * 97 + rng.randrange(0, 720)) % MAX_AGE_MINUTES
            post["text"] = _vary_text(base["text"], rng)
            if post["title"] and rng.random() < 0.4:
                post["title"] = rng.choice(_PREFIXES[2:]) + post["title"]
            post["replies"] = max(0, base["replies"] + rng.randrange(-3, 8))
            post["likes"] = max(0, base["likes"] + rng.randrange(-5, 30))
            post["reposts"] = max(0, base["reposts"] + rng.randrange(-2, 6))
            post["flags"] = [f for f in base["flags"] if f != "held"] + [f"variant:{base['id']}"]
            out.append(post)
    return out
