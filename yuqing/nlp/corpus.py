"""Labeled posts: the shipped corpus (corpus/posts.csv) and any CSV with the same label columns.

Columns: ``id,title,text`` plus any of ``shutdown,blanket,complaint,sector,district,licensed``
(and ``split`` = train/dev in the corpus). Flags are 0/1; sector is one of :data:`SECTORS`;
district a gazetteer name or empty. A bad value is reported with its file, line and column.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from yuqing.config.vocab import SECTORS
from yuqing.nlp.errors import CorpusError
from yuqing.nlp.normalize import clean_text

FLAGS = ("shutdown", "blanket", "complaint", "licensed")
LABELS = ("shutdown", "blanket", "complaint", "sector", "district", "licensed")
COLUMNS = ("id", "split", "style", "title", "text", *LABELS)  # posts.csv, in order
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class Example:
    id: str
    title: str
    text: str
    labels: dict[str, Any] = field(default_factory=dict)  # only the columns present
    split: str = ""


def parse_flag(value: str) -> bool | None:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    return None


def corpus_path() -> Path:
    return Path(str(resources.files("yuqing.nlp").joinpath("corpus/posts.csv")))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_rows(path: Path, required: tuple[str, ...] = ("id", "text")) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV with a header (a BOM is accepted), as dicts of strings."""
    try:
        fh = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from exc
    with fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise CorpusError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(header: {','.join(header) or 'empty'})"
                )
            for row in reader:
                yield {k: (v or "") for k, v in row.items() if k is not None}
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise CorpusError(f"{path}: line {reader.line_num}: {exc}") from exc


def read_labeled(
    path: Path, districts: set[str] | None = None, need_labels: bool = True
) -> list[Example]:
    """Labeled examples from ``path``; the label columns present are validated."""
    out: list[Example] = []
    seen: set[str] = set()
    rows = read_rows(path)
    for n, row in enumerate(rows, start=2):
        ex = Example(
            id=row["id"].strip() or f"line{n}",
            title=clean_text(row.get("title", "")),
            text=clean_text(row.get("text", "")),
            split=row.get("split", "").strip(),
        )
        if ex.id in seen:
            raise CorpusError(f"{path}: line {n}: duplicate id {ex.id!r}")
        seen.add(ex.id)
        for col in LABELS:
            if col not in row:
                continue
            value = row[col].strip()
            if col in FLAGS:
                flag = parse_flag(value)
                if flag is None:
                    raise CorpusError(f"{path}: line {n}: {col}: expected 0 or 1, got {value!r}")
                ex.labels[col] = flag
            elif col == "sector":
                if value not in SECTORS:
                    raise CorpusError(
                        f"{path}: line {n}: sector: {value!r} is not one of {', '.join(SECTORS)}"
                    )
                ex.labels[col] = value
            else:
                if districts is not None and value and value not in districts:
                    raise CorpusError(
                        f"{path}: line {n}: district: {value!r} is not in the gazetteer"
                    )
                ex.labels[col] = value or None
        out.append(ex)
    if need_labels and out and not out[0].labels:
        raise CorpusError(f"{path}: no label columns ({', '.join(LABELS)})")
    return out


@dataclass
class Corpus:
    path: Path
    sha256: str
    examples: list[Example]

    def split(self, name: str) -> list[Example]:
        return [e for e in self.examples if e.split == name]


def load_corpus(path: Path | None = None, districts: set[str] | None = None) -> Corpus:
    """The labeled corpus (default: the shipped one); every row needs every label and a split."""
    path = path or corpus_path()
    examples = read_labeled(path, districts)
    for e in examples:
        missing = [c for c in LABELS if c not in e.labels]
        if missing:
            raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}")
        if e.split not in ("train", "dev"):
            raise CorpusError(f"{path}: id {e.id}: split must be train or dev, got {e.split!r}")
    return Corpus(path, file_sha256(path), examples)
