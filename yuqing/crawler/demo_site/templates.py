"""Tiny HTML helpers (the pages are small; no template engine needed)."""

from __future__ import annotations

from html import escape

__all__ = ["escape", "page", "paragraphs"]


def page(title: str, body: str, *, head: str = "", lang: str = "zh-CN") -> str:
    """A complete HTML document; ``head`` is inserted verbatim into <head>."""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{head}'
        f"<title>{escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def paragraphs(text: str) -> str:
    """Each non-empty line of ``text`` as an escaped <p>."""
    return "\n".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
