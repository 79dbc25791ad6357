"""Labeled posts: the shipped corpus (corpus/posts.csv) and any CSV with the same label columns.

Columns: ``id,title,text`` plus any of ``shutdown,blanket,complaint,sector,district,licensed``
(and ``split`` = train/dev in the corpus). Flags are 0/1; sector is one of :data:`SECTORS`;
district a gazetteer name or empty. A bad value is reported with its file, line and column.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

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
    """Rows of a UTF-8 CSV with a header (a BOM is accepted), as dicts of strings.

    Errors name the file, the row (the header is row 1, as in a spreadsheet; the physical
    line too when a quoted value spans lines) and the column. A row is refused rather than
    guessed at: a byte that is not UTF-8, a row whose number of fields differs from the
    header's, a quoted value left open at the end of the file, and a quoted value that runs
    over a line that looks like the next record (an id of the same shape, then enough
    delimiters): the signs of a missing closing quote, which would otherwise merge rows.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from exc
    with fh:
        lines = _Lines(fh)
        reader = csv.reader(lines, strict=True)
        row, end = 0, 0

        def where() -> str:
            first, last = end + 1, max(reader.line_num, end + 1)
            if first == row and last == first:
                return f"{path}: row {row}"
            span = f"line {first}" if last == first else f"lines {first}-{last}"
            return f"{path}: row {row} ({span})"

        header: list[str] = []
        while True:
            row += 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CorpusError(f"{where()}: {_csv_reason(str(exc))}") from exc
            if row == 1:
                header = record
                missing = [c for c in required if c not in header]
                if missing:
                    raise CorpusError(
                        f"{path}: missing column(s) {', '.join(missing)} "
                        f"(header: {','.join(header) or 'empty'})"
                    )
            _check_record(where, header, record, lines.taken)
            lines.taken = []
            end = reader.line_num
            if row > 1 and record:
                yield dict(zip(header, record, strict=True))


class _Lines:
    """The file's physical lines, decoded one by one (a bad byte stays visible as a lone
    surrogate, so it can be reported with its row and column); remembers the lines the
    current record took."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.first = True
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.fh.readline()
        if not raw:
            raise StopIteration
        if self.first:
            raw = raw.removeprefix(codecs.BOM_UTF8)
            self.first = False
        line = raw.decode("utf-8", "surrogateescape")
        self.taken.append(line)
        return line


_BAD_BYTE = re.compile("[\udc80-\udcff]")


def _csv_reason(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted value is still open at the end of the file (is a closing quote missing?)"
    if "expected after" in message:
        return f'{message} (a quote inside a quoted value is written twice: "")'
    if "NUL" in message:
        return "contains a NUL byte (is this a CSV file?)"
    return message


def _check_record(
    where: Callable[[], str], header: list[str], record: list[str], lines: list[str]
) -> None:
    def column(i: int) -> str:
        return header[i] if i < len(header) else f"#{i + 1}"

    for i, value in enumerate(record):
        bad = _BAD_BYTE.search(value)
        if bad:
            byte = ord(bad.group()) - 0xDC00
            raise CorpusError(
                f"{where()}: column {column(i)}: byte 0x{byte:02x} is not UTF-8 "
                "(save the file as UTF-8)"
            )
    if not record or not header:
        return
    if len(record) != len(header):
        raise CorpusError(
            f"{where()}: {len(record)} fields, the header has {len(header)} "
            "(a missing quote, or an unquoted comma?)"
        )
    if len(lines) > 1 and header[0] == "id":
        shape = _id_shape(record[0])
        for line in lines[1:]:
            token = line.split(",", 1)[0]
            if shape is not None and shape.fullmatch(token) and line.count(",") >= len(header) - 1:
                col = next((column(i) for i, v in enumerate(record) if "\n" in v), "?")
                raise CorpusError(
                    f"{where()}: column {col}: a quoted value runs over a line that looks like "
                    f"the next record ({line.strip()[:40]!r}); is a closing quote missing?"
                )


def _id_shape(value: str) -> re.Pattern[str] | None:
    """Ids like this one (digit runs free): ``p-0012`` → ``p\\-\\d+``; None without digits."""
    if not any(c.isdigit() for c in value):
        return None
    parts = re.split(r"(\d+)", value)
    return re.compile("".join(r"\d+" if p.isdigit() else re.escape(p) for p in parts if p))


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
