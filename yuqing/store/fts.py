"""The full-text index of posts, for Chinese: kept in sync by the store's write path.

Each post is indexed in two forms, both computed here in Python (SQL cannot segment Chinese):

``grams``
    every pair of adjacent characters inside a run of letters, digits or CJK characters, plus
    the last character of each run. A keyword term is a substring of a post exactly when its
    pairs occur in sequence, so the keyword language (which matches substrings: 一刀 finds
    一刀切) gets a candidate set that never misses a match; a single character ``c`` is found
    as the prefix query ``c*``. Search then checks every candidate exactly.
``words``
    a jieba segmentation in search mode (each word and the dictionary words inside it: 一刀切
    also yields 一刀), for analysts' own full-text queries (``posts_fts MATCH
    'words: 一刀切'`` on SQLite, ``words @@ '一刀切'::tsquery`` on PostgreSQL). No search of
    yuqing's reads it: :mod:`yuqing.store.search` finds candidates through ``grams`` and checks
    each exactly, so which words a post gets never changes what a search finds. A writer
    that has segmented the text already hands its words over (:attr:`Indexable.words`: the
    crawl's store stage gives the tagger's segmentation, with the domain lexicon and the
    gazetteer's names whole, and longer words inside them: 齐齐哈尔 in 齐齐哈尔市; see
    ``yuqing.nlp.segment``); that saves a second jieba pass and this module's own jieba
    dictionary (~66 MB). Posts written otherwise (the tagger off, imports, :func:`rebuild`)
    are segmented by :func:`words`, plain jieba.

SQLite keeps them in a contentless FTS5 table ``posts_fts`` (no second copy of the text) and
``posts_fts_map`` (post id → FTS row, with a digest of the indexed text). A post whose text
changes gets a new FTS row; the old one is unreachable (the map no longer points at it) until
:func:`rebuild` compacts the index. PostgreSQL keeps one row per post in ``posts_fts``
(``grams`` and ``words`` as ``tsvector`` with GIN indexes, rows deleted with their post).

Stored text is already Simplified (the crawler's normalizer converts it); the index folds
full-width forms and case (NFKC, lower case) as the keyword language does.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import jieba
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

FTS_TABLE = "posts_fts"
MAP_TABLE = "posts_fts_map"
# Tables the migrations create that the ORM does not model (FTS5 adds shadow tables
# posts_fts_data, posts_fts_idx, ...): tests/store/test_migrations.py leaves them out.
UNMODELED_PREFIX = "posts_fts"
MAX_INDEXED_CHARS = 100_000  # of one post (title + text); the exact check still sees all
BATCH = 500

_RUN = re.compile(r"[^\W_]+")
_TOKENIZER: jieba.Tokenizer | None = None
_LOCK = threading.Lock()


def normalize(text: str) -> str:
    """NFKC and lower case (the keyword language also converts Traditional → Simplified)."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """Maximal runs of letters, digits and CJK characters of normalized ``text``."""
    return _RUN.findall(text)


def grams(text: str) -> list[str]:
    """The ``grams`` tokens of already normalized text (see the module docstring)."""
    out: list[str] = []
    for run in runs(text):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        out.append(run[-1])
    return out


def _tokenizer() -> jieba.Tokenizer:
    global _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            tok = jieba.Tokenizer()
            tok.initialize()
            _TOKENIZER = tok
        return _TOKENIZER


def words(text: str) -> list[str]:
    """jieba search-mode words of normalized ``text`` (no HMM: known words only, and fast)."""
    out: list[str] = []
    for piece in _tokenizer().cut_for_search(text, HMM=False):
        out.extend(runs(piece))
    return out


def index_words(pieces: Iterable[str]) -> list[str]:
    """``words`` tokens from a segmentation's pieces, as :func:`words` makes them (whitespace
    and punctuation dropped, ``pm2.5`` split into its runs; lower case, in case): only letters
    and digits reach the index, whatever a writer hands over."""
    return runs(" ".join(pieces).lower())


def document(title: str, body: str) -> str:
    """What is indexed and what search checks: title and text on separate lines."""
    return f"{title}\n{body}" if title else body


def digest(doc: str) -> str:
    return hashlib.blake2b(doc.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Entry:
    post_id: int
    digest: str
    words: list[str]
    grams: list[str]


@dataclass(frozen=True)
class Indexable:
    """A post's indexed text as its writer knows it, so the index need not read it back.

    ``doc`` is :func:`document` of the stored title and text. ``words``, when given, are the
    pieces of a search-mode segmentation of ``normalize(doc[:MAX_INDEXED_CHARS])`` (as
    ``jieba.Tokenizer.cut_for_search`` gives them); None: :func:`words` segments it."""

    doc: str
    words: Sequence[str] | None = None


# A writer's segmentation for the index: normalized text → search-mode pieces (see
# :class:`Indexable`); the tagger's (``Segmenter.index_pieces``), so that re-indexing gives
# the words the crawl gave.
Segment = Callable[[str], Sequence[str]]


def entry(
    post_id: int, doc: str, pieces: Sequence[str] | None = None, segment: Segment | None = None
) -> Entry:
    """The index entry of ``doc``; ``pieces``: its words, already segmented (see
    :class:`Indexable`); else ``segment`` cuts it, else :func:`words`."""
    norm = normalize(doc[:MAX_INDEXED_CHARS])
    if pieces is None and segment is not None:
        pieces = segment(norm)
    found = words(norm) if pieces is None else index_words(pieces)
    return Entry(post_id, digest(doc), found, grams(norm))


# -- writing --------------------------------------------------------------------------------


def _tsvector(tokens: Iterable[str]) -> str:
    """A positionless tsvector literal (tokens hold only letters and digits: no quoting)."""
    return " ".join(f"'{t}'" for t in sorted(set(tokens)))


# The post's published_at, copied into the index row (issue 15: search filters its
# published_at windows inside the index scan). Read from the post's row in the same statement,
# so every writer of the index keeps it in step; published_at never changes after insert
# (the upsert of posts does not refresh it: yuqing.store.posts.REFRESHED).
_PUBLISHED = "(SELECT published_at FROM posts WHERE id = :id)"


def _write(conn: Connection, entries: Sequence[Entry]) -> None:
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"INSERT INTO {FTS_TABLE} (post_id, digest, words, grams, published_at) "
                "VALUES (:id, :digest, CAST(:words AS tsvector), CAST(:grams AS tsvector), "
                f"{_PUBLISHED}) "
                "ON CONFLICT (post_id) DO UPDATE SET digest = excluded.digest, "
                "words = excluded.words, grams = excluded.grams, "
                "published_at = excluded.published_at"
            ),
            [
                {
                    "id": e.post_id,
                    "digest": e.digest,
                    "words": _tsvector(e.words),
                    "grams": _tsvector(e.grams),
                }
                for e in entries
            ],
        )
        return
    top = conn.execute(text(f"SELECT max(rowid) FROM {FTS_TABLE}")).scalar()
    first = int(top or 0) + 1
    rows = [
        {
            "rowid": first + i,
            "id": e.post_id,
            "digest": e.digest,
            "w": " ".join(e.words),
            "g": " ".join(e.grams),
        }
        for i, e in enumerate(entries)
    ]
    conn.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, words, grams) VALUES (:rowid, :w, :g)"), rows
    )
    conn.execute(
        text(
            f"INSERT INTO {MAP_TABLE} (post_id, fts_rowid, digest, published_at) "
            f"VALUES (:id, :rowid, :digest, {_PUBLISHED}) "
            "ON CONFLICT (post_id) DO UPDATE SET fts_rowid = excluded.fts_rowid, "
            "digest = excluded.digest, published_at = excluded.published_at"
        ),
        rows,
    )


def _indexed_digests(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    table = FTS_TABLE if conn.dialect.name == "postgresql" else MAP_TABLE
    out: dict[int, str] = {}
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        marks = ", ".join(str(int(i)) for i in chunk)
        for pid, dig in conn.execute(
            text(f"SELECT post_id, digest FROM {table} WHERE post_id IN ({marks})")
        ):
            out[int(pid)] = str(dig)
    return out


def _stored_docs(conn: Connection, ids: Sequence[int]) -> dict[int, Indexable]:
    if not ids:
        return {}
    marks = ", ".join(str(int(i)) for i in ids)
    return {
        int(pid): Indexable(document(title or "", body or ""))
        for pid, title, body in conn.execute(
            text(f"SELECT id, title, text FROM posts WHERE id IN ({marks})")
        )
    }


def sync_connection(
    conn: Connection,
    post_ids: Iterable[int],
    given: Mapping[int, Indexable] | None = None,
    segment: Segment | None = None,
) -> int:
    """(Re)index the given posts whose title or text changed since they were indexed; returns
    how many were written. ``given``: what the writer knows of some of them (their text as
    just stored, maybe their words); the others are read from ``posts``; ``segment`` cuts
    those without words (default :func:`words`). Does not commit."""
    ids = sorted({int(i) for i in post_ids})
    given = given or {}
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        known = _indexed_digests(conn, chunk)
        docs = {pid: given[pid] for pid in chunk if pid in given}
        docs.update(_stored_docs(conn, [pid for pid in chunk if pid not in docs]))
        todo: list[Entry] = []
        for pid in chunk:
            post = docs.get(pid)
            if post is not None and known.get(pid) != digest(post.doc):
                todo.append(entry(pid, post.doc, post.words, segment))
        _write(conn, todo)
        written += len(todo)
    return written


def sync_posts(
    session: Session, post_ids: Iterable[int], given: Mapping[int, Indexable] | None = None
) -> int:
    """The store's write path calls this after upserting posts (same transaction)."""
    return sync_connection(session.connection(), post_ids, given)


def rebuild(conn: Connection, segment: Segment | None = None) -> int:
    """Drop every index entry and index all posts again (also compacts SQLite's index);
    ``segment``: the segmentation the crawl's writer used (the tagger's), default :func:`words`."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"DELETE FROM {FTS_TABLE}"))
    else:
        conn.execute(text(f"DELETE FROM {MAP_TABLE}"))
        conn.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')"))
    total, last = 0, 0
    while True:
        ids = [
            int(r[0])
            for r in conn.execute(
                text("SELECT id FROM posts WHERE id > :last ORDER BY id LIMIT :n"),
                {"last": last, "n": BATCH * 4},
            )
        ]
        if not ids:
            break
        total += sync_connection(conn, ids, segment=segment)
        last = ids[-1]
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')"))
    log.info("full-text index rebuilt: %d posts", total)
    return total


# -- DDL (used by migration 0002) ----------------------------------------------------------


def create(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text(
                f"CREATE TABLE {FTS_TABLE} ("
                "post_id INTEGER NOT NULL PRIMARY KEY "
                "REFERENCES posts (id) ON DELETE CASCADE, "
                "digest VARCHAR(16) NOT NULL, words TSVECTOR NOT NULL, grams TSVECTOR NOT NULL)"
            )
        )
        conn.execute(text(f"CREATE INDEX ix_{FTS_TABLE}_grams ON {FTS_TABLE} USING gin (grams)"))
        conn.execute(text(f"CREATE INDEX ix_{FTS_TABLE}_words ON {FTS_TABLE} USING gin (words)"))
        return
    conn.execute(
        text(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(words, grams, content='', "
            "tokenize='unicode61 remove_diacritics 0')"
        )
    )
    conn.execute(
        text(
            f"CREATE TABLE {MAP_TABLE} ("
            "post_id INTEGER NOT NULL PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE, "
            "fts_rowid INTEGER NOT NULL UNIQUE, digest VARCHAR(16) NOT NULL)"
        )
    )


def drop(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"DROP TABLE IF EXISTS {MAP_TABLE}"))
    conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
