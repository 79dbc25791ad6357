"""Batch jobs over files and the store: tag a CSV, evaluate a labeled CSV, re-tag stored posts.

Output CSV (a contract other tools read)::

    id,shutdown,shutdown_score,blanket,complaint,complaint_score,sector,sector_score,district,
    licensed,evidence[,custom.NAME ...]

flags 0/1, scores in [0, 1], sector one of the nine values, district a name or empty,
evidence a JSON object (matched terms, district name, top model features).
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select

from yuqing.atomic import atomic_output
from yuqing.nlp.corpus import read_labeled, read_rows
from yuqing.nlp.metrics import Evaluation, evaluate, worst_misses
from yuqing.nlp.normalize import clean_text
from yuqing.nlp.tagger import Tagger
from yuqing.store.models import Post
from yuqing.store.posts import TagRecord, upsert_tags
from yuqing.store.session import Database

OUTPUT_COLUMNS = (
    "id",
    "shutdown",
    "shutdown_score",
    "blanket",
    "complaint",
    "complaint_score",
    "sector",
    "sector_score",
    "district",
    "licensed",
    "evidence",
)
CHUNK = 2000
Progress = Callable[[int], None]


def output_row(post_id: str, rec: TagRecord, custom: Sequence[str] = ()) -> list[str]:
    row = [
        post_id,
        str(int(rec.shutdown)),
        f"{rec.shutdown_score:.4f}",
        str(int(rec.blanket)),
        str(int(rec.complaint)),
        f"{rec.complaint_score:.4f}",
        rec.sector,
        f"{rec.sector_score:.4f}",
        rec.district or "",
        str(int(rec.licensed)),
        json.dumps(rec.evidence, ensure_ascii=False, sort_keys=True),
    ]
    return row + [str(rec.custom.get(name, "")) for name in custom]


def _chunks(rows: Iterator[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    chunk: list[dict[str, str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def tag_csv(
    tagger: Tagger,
    in_path: Path,
    out: IO[str],
    custom: Sequence[str] = (),
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> int:
    """Tag every row of ``in_path`` (columns id, title, text; others ignored) into ``out``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*OUTPUT_COLUMNS, *(f"custom.{n}" for n in custom)])
    count = 0
    for chunk in _chunks(read_rows(in_path, required=("id", "title", "text")), CHUNK):
        items = [(clean_text(r["title"]), clean_text(r["text"])) for r in chunk]
        for row, rec in zip(chunk, tagger.tag_many(items, n_jobs=n_jobs), strict=True):
            writer.writerow(output_row(row["id"], rec, custom))
        count += len(chunk)
        if progress:
            progress(len(chunk))
    return count


@contextlib.contextmanager
def open_output(path: str) -> Iterator[IO[str]]:
    """Standard output for ``-``; else the file, written whole or not at all (a bad input
    leaves an existing file as it was)."""
    if path == "-":
        yield sys.stdout
        return
    with atomic_output(path, "w", newline="") as fh:
        yield fh


def evaluate_file(
    tagger: Tagger, path: Path, districts: set[str], n_jobs: int = 1, worst: int = 10
) -> Evaluation:
    """Tag a labeled CSV and score the tags against its label columns; keep the ``worst``
    most confident false positives and false negatives of each tag."""
    examples = read_labeled(path, districts)
    recs = tagger.tag_many([(e.title, e.text) for e in examples], n_jobs=n_jobs)
    preds = [
        {
            "shutdown": r.shutdown,
            "blanket": r.blanket,
            "complaint": r.complaint,
            "licensed": r.licensed,
            "sector": r.sector,
            "district": r.district,
        }
        for r in recs
    ]
    truths = [e.labels for e in examples]
    ids = [e.id for e in examples]
    ev = evaluate(truths, preds, ids)
    if worst:
        titles = [(e.title or e.text)[:40].replace("\n", " ") for e in examples]
        ev.worst = worst_misses(
            ids,
            titles,
            truths,
            preds,
            [_scores(r) for r in recs],
            [_evidence(r) for r in recs],
            worst,
        )
    return ev


def _scores(r: TagRecord) -> dict[str, float]:
    return {
        "shutdown": r.shutdown_score,
        "blanket": r.blanket_score,
        "complaint": r.complaint_score,
        "licensed": r.licensed_score,
        "sector": r.sector_score,
        "district": 1.0,
    }


def _evidence(r: TagRecord) -> dict[str, str]:
    """Per tag, the cue terms, the context read around shutdown cues and the model's features."""
    ev = r.evidence
    feats = ev.get("features", {})
    out = {}
    for tag in ("shutdown", "blanket", "complaint", "licensed", "sector"):
        parts = [*ev.get(tag, []), *feats.get(tag, [])]
        if tag in ("shutdown", "blanket"):
            parts += ev.get("context", [])
        out[tag] = " ".join(dict.fromkeys(parts))
    out["district"] = ev.get("district") or ""
    return out


def count_posts(db: Database, since: datetime | None) -> int:
    with db.session() as s:
        q = select(func.count()).select_from(Post)
        if since is not None:
            q = q.where(Post.published_at >= since)
        return int(s.execute(q).scalar_one())


def retag(
    db: Database,
    tagger: Tagger,
    since: datetime | None = None,
    n_jobs: int = 1,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> int:
    """Re-tag stored posts (published at or after ``since``) in chunks, committing each."""
    done, last_id = 0, 0
    while True:
        with db.session() as s:
            q = select(Post.id, Post.title, Post.text).where(Post.id > last_id)
            if since is not None:
                q = q.where(Post.published_at >= since)
            rows = s.execute(q.order_by(Post.id).limit(chunk)).all()
        if not rows:
            return done
        recs = tagger.tag_many([(r.title or "", r.text or "") for r in rows], n_jobs=n_jobs)
        pairs: list[tuple[int, Any]] = [(r.id, rec) for r, rec in zip(rows, recs, strict=True)]
        with db.session() as s:
            upsert_tags(s, pairs)
        done += len(rows)
        last_id = rows[-1].id
        if progress:
            progress(len(rows))
