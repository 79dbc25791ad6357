"""Tagging speed against bare jieba segmentation of the same real texts, in one run.

    .venv/bin/python -m bench.tagging --data ../shared/data [--limit 2000] [--repeat 3]

Prints, per text source and overall: the time to segment the texts with jieba alone
(``jieba.lcut``, default settings) and to tag them with ``Tagger.tag_many``, as a ratio
(target <= 2x). The two are interleaved and each is the best of ``--repeat`` runs, so a busy
machine slows both alike. Also: tagging on both cores, model load time and the tagger's peak
memory (both in a fresh interpreter). The texts are read from --data and never copied.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from yuqing.nlp.normalize import clean_text

csv.field_size_limit(2**31 - 1)
Items = list[tuple[str, str]]

SOURCES: dict[str, tuple[str, str | None, str]] = {
    # name: (file under --data, title column, text column)
    "tipdm messages": ("tipdm2020c/test_messages_unlabeled.csv", "留言主题", "留言详情"),
    "tipdm with replies": ("tipdm2020c/fujian4_messages_with_replies.csv", "留言主题", "留言详情"),
    "weibo posts": ("weibo/weibo_senti_100k_subset2400.csv", None, "review"),
    "hotel reviews": ("reviews/ChnSentiCorp_htl_all.csv", None, "review"),
    "waimai reviews": ("reviews/waimai_10k.csv", None, "review"),
}


def read_texts(data: Path, limit: int) -> dict[str, Items]:
    out: dict[str, Items] = {}
    for name, (rel, title_col, text_col) in SOURCES.items():
        path = data / rel
        if not path.exists():
            print(f"  (skipping {name}: {path} not found)")
            continue
        items: Items = []
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                title = clean_text(row.get(title_col) or "") if title_col else ""
                items.append((title, clean_text(row.get(text_col) or "")))
                if len(items) >= limit:
                    break
        out[name] = items
    return out


def segment(docs: list[str], hmm: bool) -> list[list[str]]:
    """The baseline: jieba's default tokenizer, nothing else."""
    import jieba

    return [jieba.lcut(x, HMM=hmm) for x in docs]


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def fresh_process_figures(data_dir: Path, sample: Path) -> dict[str, float]:
    """Load time and peak memory of a tagger in a new interpreter (tagging ``sample``)."""
    code = f"""
import json, time, csv
def hwm():  # peak RSS of this process image (unlike ru_maxrss, not inherited across exec)
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM")) / 1024
t0 = time.perf_counter()
from yuqing.config import load
from yuqing.nlp.loader import load_tagger
t1 = time.perf_counter()
rss0 = hwm()
cfg = load(overrides={{"data_dir": {str(data_dir)!r}}}, env={{}})
t2 = time.perf_counter()
tagger = load_tagger(cfg, build_if_missing=False)
t3 = time.perf_counter()
with open({str(sample)!r}, encoding="utf-8") as fh:
    items = [tuple(r) for r in csv.reader(fh)]
tagger.tag_many(items)
print(json.dumps({{"import_s": t1 - t0, "load_s": t3 - t2,
    "rss_after_imports_mb": rss0,
    "peak_mb": hwm()}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--limit", type=int, default=2000, help="texts per source")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data dir with a built model (default: build one in a temp dir)",
    )
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no data at {args.data} (give --data PATH)")

    import jieba

    from yuqing.config import load
    from yuqing.nlp.build import build_tagger, tagger_path
    from yuqing.nlp.loader import load_tagger

    tmp = tempfile.TemporaryDirectory(prefix="yuqing-bench-")
    data_dir = args.data_dir or Path(tmp.name) / "var"
    cfg = load(overrides={"data_dir": str(data_dir)}, env={})
    if not tagger_path(cfg).exists():
        t = time.perf_counter()
        trained, _ = build_tagger(cfg)
        print(f"model built in {time.perf_counter() - t:.1f}s (dev {trained.dev.headline()})")
    texts = read_texts(args.data, args.limit)
    tagger = load_tagger(cfg, build_if_missing=False)
    jieba.setLogLevel(50)
    jieba.initialize()
    joined = {k: [f"{t}\n{x}" for t, x in v] for k, v in texts.items()}
    tagger.tag_many(texts[next(iter(texts))][:50])  # warm up caches

    print(
        f"\n{'source':20} {'texts':>6} {'chars/text':>10} {'jieba s':>8} {'tag s':>8} "
        f"{'ratio':>6} {'vs no-HMM':>9}"
    )
    total_j = total_t = total_n = 0.0
    for name, items in texts.items():
        docs = joined[name]
        j = best_of(args.repeat, partial(segment, docs, True))
        jn = best_of(args.repeat, partial(segment, docs, False))
        tg = best_of(args.repeat, partial(tagger.tag_many, items))
        chars = sum(map(len, docs)) / max(1, len(docs))
        print(
            f"{name:20} {len(items):6d} {chars:10.0f} {j:8.2f} {tg:8.2f} {tg / j:6.2f} "
            f"{tg / jn:9.2f}"
        )
        total_j, total_t, total_n = total_j + j, total_t + tg, total_n + len(items)
    print(
        f"{'all':20} {int(total_n):6d} {'':10} {total_j:8.2f} {total_t:8.2f} "
        f"{total_t / total_j:6.2f}   (target <= 2.00)"
    )
    print(
        f"throughput: {total_n / total_t:.0f} posts/s tagging, {total_n / total_j:.0f} posts/s "
        "jieba alone (one core)"
    )

    everything = [it for items in texts.values() for it in items]
    one = best_of(args.repeat, lambda: tagger.tag_many(everything, n_jobs=1))
    two = best_of(args.repeat, lambda: tagger.tag_many(everything, n_jobs=2))
    print(
        f"both cores: tag_many(n_jobs=2) {two:.2f}s vs n_jobs=1 {one:.2f}s "
        f"(speed-up {one / two:.2f}x)"
    )

    sample = Path(tmp.name) / "sample.csv"
    with sample.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(everything[:2000])
    fig = fresh_process_figures(data_dir, sample)
    print(
        f"fresh process: imports {fig['import_s']:.2f}s, model load {fig['load_s']:.2f}s "
        f"(target < 2 s, includes jieba's dictionary), peak memory {fig['peak_mb']:.0f} MB "
        f"(target < 300 MB; {fig['rss_after_imports_mb']:.0f} MB after imports)"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
