"""Composing the whole corpus: scenarios + hand-written posts, interleaved, split, numbered."""

from __future__ import annotations

import csv
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.corpus.context import Ctx, Labels
from tools.corpus.dice import Dice
from tools.corpus.fragments import Fragments
from tools.corpus.handwritten import HANDWRITTEN, WRITTEN_LATER, load_handwritten
from tools.corpus.places import Gazetteer
from tools.corpus.scenarios import SCENARIOS
from tools.corpus.schema_core import SECTORS
from yuqing.nlp.corpus import COLUMNS

SEED = 20240611
FIELDS = list(COLUMNS)


class SlotError(RuntimeError):
    """A fragment uses a {slot} its scenario does not fill."""


@dataclass
class Row:
    style: str
    title: str
    text: str
    labels: Labels
    source: str  # the scenario, or "hand"
    split: str = ""
    id: str = ""

    def csv_fields(self) -> dict[str, str | int]:
        head = {"id": self.id, "split": self.split, "style": self.style, "title": self.title}
        return {**head, "text": self.text, **asdict(self.labels)}


def generate(c: Ctx) -> list[Row]:
    """All composed posts, scenario by scenario (lengths 20-400, unique texts)."""
    gazetteer = Gazetteer(c)
    rows: list[Row] = []
    seen: set[str] = set()
    for fn, count in SCENARIOS:
        made, tries = 0, 0
        while made < count:
            tries += 1
            if tries >= count * 50:
                raise RuntimeError(f"{fn.__name__}: too few usable posts after {tries} tries")
            try:
                draft = fn(c)
            except KeyError as exc:  # str.format: a fragment names a slot nobody fills
                msg = f"{fn.__name__}: a fragment uses the unknown slot {{{exc.args[0]}}}"
                raise SlotError(msg) from exc
            text, lab = draft.text, draft.labels
            if not (20 <= len(text) <= 400) or text in seen:
                continue
            # The district label must be recoverable from what the post actually says.
            named = gazetteer.districts_named(draft.title + "\n" + text)
            if lab.district not in named:
                lab.district = next(iter(named)) if len(named) == 1 else ""
            if len(named) > 1 and lab.district == "":
                continue
            seen.add(text)
            rows.append(Row(draft.style, draft.title, text, lab, fn.__name__))
            made += 1
    return rows


def assign_split(rows: list[Row], seed: int = SEED + 1) -> None:
    """75/25 train/dev, stratified by (shutdown, sector), with its own fixed seed."""
    rng = random.Random(seed)
    groups: dict[tuple[int, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r.labels.shutdown, r.labels.sector), []).append(r)
    for key in sorted(groups):
        g = groups[key]
        rng.shuffle(g)
        n_dev = round(len(g) * 0.25)
        for i, r in enumerate(g):
            r.split = "dev" if i < n_dev else "train"


def build(
    f: Fragments, handwritten: Path = HANDWRITTEN, more: Path | None = WRITTEN_LATER
) -> list[Row]:
    """The first corpus (composed + handwritten.txt, ids c0001…c1842), then the posts written
    one by one later (``more``/*.txt), appended with their own ids and split."""
    c = Ctx(Dice(SEED), f)
    rows = _first_corpus(c, handwritten)
    if more is not None and more.is_dir():
        rows += append_written(rows, more, c)
    return rows


# The files appended together in the first pass (issue 11): their posts keep their ids and
# split. Every later file is appended after them on its own (its own shuffle and 75/25 split),
# so that adding a file never moves an earlier post between train and dev.
FIRST_WRITTEN = ("w1", "w2", "w3", "w4", "w5", "w6")


def append_written(rows: list[Row], folder: Path, c: Ctx) -> list[Row]:
    """Posts of ``folder``/*.txt (in name order; the handwritten.txt format), appended after
    ``rows``: numbered on from the last id in a shuffled order of their own, split 75/25 by
    (shutdown, sector) with a seed of their own, so that the earlier rows keep their ids, texts
    and split (the frozen dev split stays comparable): first the files of FIRST_WRITTEN
    together, then each later file by itself. Texts already present, or shorter than 20
    characters, are left out. A district label the text does not name (through the gazetteer
    snapshot) is dropped, or moved to the one district the text names."""
    gazetteer = Gazetteer(c)
    seen = {r.text for r in rows}
    paths = sorted(folder.glob("*.txt"))
    batches = [[p for p in paths if p.stem in FIRST_WRITTEN]]
    batches += [[p] for p in paths if p.stem not in FIRST_WRITTEN]
    out: list[Row] = []
    for k, batch in enumerate(batches):
        new: list[Row] = []
        for path in batch:
            for style, title, text, lab in load_handwritten(SECTORS, set(c.districts), path):
                if text in seen or len(text) < 20:
                    continue
                if lab.district:
                    named = gazetteer.districts_named(title + "\n" + text)
                    if lab.district not in named:
                        lab.district = next(iter(named)) if len(named) == 1 else ""
                seen.add(text)
                new.append(Row(style, title, text, lab, f"hand:{path.stem}"))
        random.Random(SEED + 2 + 10 * k).shuffle(new)
        assign_split(new, seed=SEED + 3 + 10 * k)
        for i, r in enumerate(new, len(rows) + len(out) + 1):
            r.id = f"c{i:04d}"
        out += new
    return out


def _first_corpus(c: Ctx, handwritten: Path) -> list[Row]:
    hand = [
        Row(style, title, text, lab, "hand")
        for style, title, text, lab in load_handwritten(SECTORS, set(c.districts), handwritten)
    ]
    gen = generate(c)
    texts = {r.text for r in hand}
    rows = hand + [r for r in gen if r.text not in texts]
    if len({r.text for r in rows}) != len(rows):
        raise RuntimeError("handwritten.txt repeats a text")
    # Interleave deterministically so ids do not reveal the scenario.
    c.dice.shuffle(rows)
    assign_split(rows)
    for i, r in enumerate(rows, 1):
        r.id = f"c{i:04d}"
    return rows


def write(rows: list[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(r.csv_fields())
