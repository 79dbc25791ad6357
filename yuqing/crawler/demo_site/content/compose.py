"""Authoring script: builds ``posts.jsonl`` from ``handwritten.txt`` and ``fragments.py``.

    python -m yuqing.crawler.demo_site.content.compose          # rewrite posts.jsonl
    python -m yuqing.crawler.demo_site.content.compose --check  # fail if it is out of date

Deterministic (fixed seed): the same sources always give the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from yuqing.crawler.demo_site.content import CHANNELS, COUNTIES, DISTRICTS, POSTS_PATH, SECTORS
from yuqing.crawler.demo_site.content import fragments as F

HANDWRITTEN = Path(__file__).with_name("handwritten.txt")
SEED = 20240607
N_COMPLAINTS = 135
N_CHATTER = 40
N_BRIEFS = 24
DAY = 24 * 60
_AGE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")

Raw = dict[str, Any]


def parse_age(text: str) -> int:
    m = _AGE.match(text.strip())
    if not m or not text.strip():
        raise ValueError(f"bad age {text!r}")
    d, h, mi = (int(g or 0) for g in m.groups())
    return d * DAY + h * 60 + mi


def _labels(tags: str, sector: str, district: str) -> dict[str, Any]:
    return {
        "shutdown": int("S" in tags),
        "blanket": int("B" in tags),
        "complaint": int("C" in tags),
        "sector": sector,
        "district": district,
        "licensed": int("L" in tags),
    }


def _post(
    channel: str,
    title: str,
    text: str,
    author: str,
    age: int,
    stats: tuple[int, int, int],
    labels: dict[str, Any],
    flags: list[str] | None = None,
    dup_of: int | None = None,
) -> Raw:
    return {
        "id": 0,
        "channel": channel,
        "title": title,
        "text": text,
        "author": author,
        "age": age,
        "replies": stats[0],
        "likes": stats[1],
        "reposts": stats[2],
        "labels": labels,
        "flags": flags or [],
        "dup_of": dup_of,
    }


def parse_handwritten(source: str) -> list[Raw]:
    posts: list[Raw] = []
    blocks = re.split(r"^=== ", source, flags=re.M)[1:]
    for block in blocks:
        lines = [ln for ln in block.splitlines() if not (ln.startswith("# ") or ln == "#")]
        head = [f.strip() for f in lines[0].split("|")]
        channel, sector, district, tags, age, author, stats = head[:7]
        flags = [f.strip() for f in head[7].split(",") if f.strip()] if len(head) > 7 else []
        body = "\n".join(lines[2:]).strip()
        title = "" if lines[1].strip() == "-" else lines[1].strip()
        if not body:
            raise ValueError(f"empty post text in block {lines[0]!r}")
        r, li, rp = (int(x) for x in stats.split("/"))
        labels = _labels(tags, sector, "" if district == "-" else district)
        post = _post(channel, title, body, author, parse_age(age), (r, li, rp), labels, flags)
        if "dup:prev" in flags:
            post["flags"].remove("dup:prev")
            post["dup_of"] = -len(posts)  # resolved to an id once ids are assigned
        posts.append(post)
    return posts


def _stats(rng: random.Random, channel: str) -> tuple[int, int, int]:
    if channel == "weibo":
        return rng.randrange(0, 30), rng.randrange(0, 200), rng.randrange(0, 50)
    if channel == "forum":
        return rng.randrange(0, 40), rng.randrange(0, 30), 0
    if channel == "board":
        return rng.randrange(0, 5), rng.randrange(0, 40), 0
    return 0, rng.randrange(0, 30), rng.randrange(0, 8)


def _nick(rng: random.Random) -> str:
    return rng.choice(F.NICK_HEAD) + rng.choice(F.NICK_TAIL) + str(rng.randrange(10, 99))


def _place(rng: random.Random, i: int) -> tuple[str, str]:
    if i % 9 == 8:
        return rng.choice(F.NO_PLACE), ""
    district = DISTRICTS[i % len(DISTRICTS)]
    return rng.choice(F.PLACES[district]), district


def compose_complaint(rng: random.Random, i: int) -> Raw:
    sector = SECTORS[i % len(SECTORS)]
    title, body = rng.choice(F.ISSUES[sector])
    place, district = _place(rng, i)
    channel = ("board", "forum", "weibo")[i % 3]
    flags: list[str] = []
    if channel == "board":
        text = (
            rng.choice(F.BOARD_OPEN).format(p=place)
            + body
            + "，"
            + rng.choice(F.DURATION)
            + rng.choice(F.IMPACT)
            + rng.choice(F.ASK)
        )
        text = "尊敬的领导：" + text
        if i % 11 == 0:
            text += f"我的联系电话：1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}。"
            flags.append("pii")
        head = f"{place}{title}"
    elif channel == "forum":
        text = rng.choice(F.FORUM_OPEN) + place + body + "。" + rng.choice(F.FORUM_CLOSE)
        head = rng.choice(F.FORUM_TITLE).format(p=place, t=title)
    else:
        text = (
            f"{place}{body}，{rng.choice(F.WEIBO_CLOSE)}{rng.choice(F.EMOJI)} "
            f"#{rng.choice(F.TOPICS)}#"
        )
        head = ""
    author = _nick(rng)
    labels = _labels("C", sector, district)
    return _post(
        channel, head, text, author, rng.randrange(1, 14 * DAY), _stats(rng, channel), labels, flags
    )


def compose_chatter(rng: random.Random, i: int) -> Raw:
    sector, title, text = F.CHATTER[i % len(F.CHATTER)]
    place, district = _place(rng, i * 3 + 1)
    channel = ("forum", "weibo")[i % 2]
    head = title.format(p=place) if channel == "forum" else ""
    body = text.format(p=place)
    if channel == "weibo":
        body += f" #{rng.choice(F.TOPICS)}#"
    return _post(
        channel,
        head,
        body,
        _nick(rng),
        rng.randrange(1, 14 * DAY),
        _stats(rng, channel),
        _labels("", sector, district),
    )


def compose_briefs(rng: random.Random, n: int) -> list[Raw]:
    """``n`` news briefs: half on the city news site, half on the county site."""
    city = [(b, d) for b in F.BRIEFS for d in DISTRICTS[:7]]
    county = [(b, d) for b in F.BRIEFS for d in COUNTIES]
    rng.shuffle(city)
    rng.shuffle(county)
    out = []
    for i in range(n):
        (sector, title, text), district = county[i // 2] if i % 2 else city[i // 2]
        channel = "county" if i % 2 else "news"
        author = f"{district}融媒体中心" if i % 2 else "鹤城新闻网"
        out.append(
            _post(
                channel,
                title.format(d=district),
                text.format(d=district),
                author,
                rng.randrange(30, 14 * DAY),
                _stats(rng, channel),
                _labels("", sector, district),
            )
        )
    return out


def compose_duplicates(rng: random.Random, posts: list[Raw]) -> list[Raw]:
    """Reposts and near-copies of earlier posts (same labels, ``dup_of`` set)."""
    candidates = [
        p
        for p in posts
        if p["channel"] in ("board", "forum", "weibo") and not {"held", "pinned"} & set(p["flags"])
    ]
    shutdowns = [p for p in candidates if p["labels"]["shutdown"]]
    others = [p for p in candidates if not p["labels"]["shutdown"]]
    blanket = [p for p in shutdowns if p["labels"]["blanket"]]
    single = [p for p in shutdowns if not p["labels"]["blanket"]]
    picks = rng.sample(blanket, 2) + rng.sample(single, 2) + rng.sample(others, 16)
    out: list[Raw] = []
    for n, src in enumerate(picks):
        age = max(0, src["age"] - rng.randrange(5, 600))
        flags = [f for f in src["flags"] if f in ("pii", "hant")]
        if n % 3 == 0:  # weibo repost
            text = f"转发微博 //@{src['author']}: {src['text']}"
            post = _post(
                "weibo", "", text, _nick(rng), age, _stats(rng, "weibo"), src["labels"], flags
            )
        elif n % 3 == 1:  # forum copy
            title = "【转】" + (src["title"] or src["text"][:18])
            text = "转自网友：\n" + src["text"]
            post = _post(
                "forum", title, text, _nick(rng), age, _stats(rng, "forum"), src["labels"], flags
            )
        else:  # the author posts again with small edits
            text = (
                "再次反映："
                + src["text"].replace("，", ",", 2).rstrip("。！!？?")
                + "，至今没有解决！"
            )
            post = _post(
                src["channel"],
                src["title"],
                text,
                src["author"],
                age,
                _stats(rng, src["channel"]),
                src["labels"],
                flags,
            )
        post["dup_of"] = src["id"]
        out.append(post)
    return out


def _unique(
    rng: random.Random, make: Callable[[random.Random, int], Raw], n: int, seen: set[str]
) -> list[Raw]:
    """``n`` composed posts whose texts differ from each other and from ``seen``."""
    out = []
    for i in range(n):
        post = make(rng, i)
        while post["text"] in seen:
            post = make(rng, i)
        seen.add(post["text"])
        out.append(post)
    return out


def build() -> list[Raw]:
    rng = random.Random(SEED)
    posts = parse_handwritten(HANDWRITTEN.read_text(encoding="utf-8"))
    seen = {p["text"] for p in posts}
    posts += _unique(rng, compose_complaint, N_COMPLAINTS, seen)
    posts += _unique(rng, compose_chatter, N_CHATTER, seen)
    posts += compose_briefs(rng, N_BRIEFS)
    for n, post in enumerate(posts, start=1):
        post["id"] = n
        if post["dup_of"] is not None and post["dup_of"] <= 0:
            post["dup_of"] = -post["dup_of"]
    for post in compose_duplicates(rng, posts):
        post["id"] = len(posts) + 1
        posts.append(post)
    texts = [p["text"] for p in posts]
    assert len(set(texts)) == len(texts), "composed texts must be unique"
    for post in posts:
        assert post["channel"] in CHANNELS and post["labels"]["sector"] in SECTORS, post
    return posts


def render(posts: list[Raw]) -> str:
    return "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only check posts.jsonl is current")
    args = parser.parse_args(argv)
    content = render(build())
    if args.check:
        current = POSTS_PATH.read_text(encoding="utf-8") if POSTS_PATH.exists() else ""
        if current != content:
            sys.stderr.write("posts.jsonl is out of date: run the compose script\n")
            return 1
        return 0
    POSTS_PATH.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
