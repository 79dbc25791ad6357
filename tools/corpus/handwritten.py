"""handwritten.txt: posts written one by one, merged into the corpus as they are.

One post per line, `style|sbcl|sector|district|title|text`: sbcl are the shutdown, blanket,
complaint and licensed flags (e.g. 1101); `\\n` in the text is a line break; # starts a comment.
"""

from __future__ import annotations

from pathlib import Path

from tools.corpus.context import Labels

HANDWRITTEN = Path(__file__).resolve().parent / "handwritten.txt"
# Posts written one by one after the first corpus (issue 11), one file per writer or batch,
# same format; appended to the corpus after it (tools.corpus.build.append_written).
WRITTEN_LATER = Path(__file__).resolve().parent / "handwritten"
STYLES = ("letter", "weibo", "forum", "news", "notice")


class HandwrittenError(ValueError):
    """A line of handwritten.txt that cannot be used; str() names the file and the line."""


def parse_line(
    line: str, sectors: tuple[str, ...], districts: set[str]
) -> tuple[str, str, str, Labels]:
    """(style, title, text, labels) of one post line; ValueError says what is wrong."""
    parts = line.split("|")
    if len(parts) != 6:
        raise ValueError(f"expected 6 fields, got {len(parts)}")
    style, flags, sector, district, title, text = (p.strip() for p in parts)
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}")
    if len(flags) != 4 or not set(flags) <= {"0", "1"}:
        raise ValueError(f"flags must be four 0/1 digits (sbcl), got {flags!r}")
    if sector not in sectors:
        raise ValueError(f"unknown sector {sector!r}")
    if district and district not in districts:
        raise ValueError(f"unknown district {district!r}")
    s, b, c, lic = (int(x) for x in flags)
    if b and not s:
        raise ValueError("blanket without shutdown")
    return style, title, text.replace("\\n", "\n"), Labels(s, b, c, sector, district, lic)


def load_handwritten(
    sectors: tuple[str, ...], districts: set[str], path: Path = HANDWRITTEN
) -> list[tuple[str, str, str, Labels]]:
    posts = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            posts.append(parse_line(line, sectors, districts))
        except ValueError as exc:
            raise HandwrittenError(f"{path}:{n}: {exc}") from exc
    return posts
