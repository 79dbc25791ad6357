"""Distribution tables (total / train / dev) of a corpus, as pasted into the corpus README."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping

Record = Mapping[str, object]


def flag(r: Record, tag: str) -> int:
    return int(str(r[tag]))


def flag_of(tag: str) -> Callable[[Record], int]:
    return lambda r: flag(r, tag)


def stats(rows: list[Record]) -> str:
    out: list[str] = []
    n = len(rows)
    tr = [r for r in rows if r["split"] == "train"]
    dv = [r for r in rows if r["split"] == "dev"]

    def table(name: str, key: Callable[[Record], object]) -> None:
        tot, ctr, cdv = (Counter(key(r) for r in rs) for rs in (rows, tr, dv))
        out.append(f"\n{name:<26} {'total':>6} {'share':>7} {'train':>6} {'dev':>5}")
        for k, v in sorted(tot.items(), key=lambda kv: (-kv[1], str(kv[0]))):
            label = "(empty)" if k == "" else str(k)
            out.append(f"  {label:<24} {v:6d} {v / n:7.1%} {ctr[k]:6d} {cdv[k]:5d}")

    out.append(f"posts: {n}  (train {len(tr)}, dev {len(dv)})")
    table("style", lambda r: r["style"])
    for tag in ["shutdown", "blanket", "complaint", "licensed"]:
        table(tag, flag_of(tag))
    table("sector", lambda r: r["sector"])
    table("district", lambda r: r["district"])
    sd = [r for r in rows if flag(r, "shutdown")]
    lic = [r for r in rows if flag(r, "licensed")]
    out.append(f"\nblanket among shutdown=1: {sum(flag(r, 'blanket') for r in sd)}/{len(sd)}")
    with_stop = sum(flag(r, "shutdown") for r in lic)
    out.append(f"licensed posts that also have shutdown=1: {with_stop}/{len(lic)}")
    lens = sorted(len(str(r["text"])) for r in rows)
    out.append(f"text length (chars): min {lens[0]}, median {lens[len(lens) // 2]}, max {lens[-1]}")
    return "\n".join(out)
