"""The short text a list row shows under its title.

One function, so the inbox (and any other list) can swap in a better one — e.g. the evidence
snippet centred on the matched terms — without touching the templates.
"""

from __future__ import annotations

SNIPPET_CHARS = 80


def text_start(title: str | None, text: str | None, limit: int = SNIPPET_CHARS) -> str:
    """The start of the post text (else its title), whitespace collapsed, cut at ``limit``
    characters with an ellipsis."""
    body = " ".join((text or title or "").split())
    if len(body) <= limit:
        return body
    return body[: limit - 1].rstrip() + "…"


snippet = text_start
