"""Text normalization shared by the crawler pipelines and the tagger.

``clean_text`` strips markup and folds whitespace; ``to_simplified`` converts Traditional to
Simplified Chinese; ``mask_pii`` masks mainland mobile/landline numbers, ID-card numbers and
e-mail addresses; ``author_hash`` pseudonymizes an author handle with a keyed hash.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)
_BLOCK = re.compile(r"<(?:br|p|div|li|tr|h[1-6])\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\u00a0\u3000\u200b\ufeff]+")
_NEWLINES = re.compile(r"\s*\n\s*")
# 18-digit ID numbers (last may be X) and 15-digit old ones; mobile numbers 1[3-9]x xxxx xxxx.
_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def clean_text(value: str | None) -> str:
    """Markup to plain text: entities decoded, block tags to newlines, whitespace folded."""
    if not value:
        return ""
    text = value.replace("_x000D_", "\n")
    if "<" in text:
        text = _BLOCK.sub("\n", text)
        text = _TAG.sub("", text)
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text)
    return text.strip()


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> re.Pattern[str]:
    """A character class of every CJK character that t2s changes (built once, ~0.1 s)."""
    block = "".join(chr(c) for c in range(0x4E00, 0xA000))
    converted = str(_converter().convert(block))  # type: ignore[attr-defined]
    changed = [a for a, b in zip(block, converted, strict=True) if a != b]
    return re.compile("[" + "".join(changed) + "]")


_protected: dict[str, str] = {}  # word -> what t2s would wrongly make of it


def protect_words(words: Iterable[str]) -> None:
    """Keep these words as they are through :func:`to_simplified`: place names such as
    乾丰镇 contain characters that t2s would otherwise change (乾 -> 干)."""
    for word in words:
        if word and _traditional_chars().search(word):
            converted = str(_converter().convert(word))  # type: ignore[attr-defined]
            if converted != word:
                _protected[word] = converted


@lru_cache(maxsize=1)
def _protect_shipped_gazetteers() -> None:
    """Protect every name in the gazetteers shipped with yuqing (user gazetteers are added
    by whoever loads them, through :func:`protect_words`)."""
    import yaml

    folder = Path(__file__).resolve().parents[1] / "config" / "gazetteer"
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names = [data.get("city", ""), *data.get("city_aliases", [])]
        for d in data.get("districts", []):
            names += [d.get("name", ""), *d.get("aliases", []), *d.get("places", [])]
        protect_words(n for n in names if isinstance(n, str))


def to_simplified(text: str) -> str:
    """Traditional -> Simplified Chinese (OpenCC t2s tables); text with no Traditional
    character is returned as is without running the (slow) converter. Protected words
    (gazetteer names) survive the conversion unchanged."""
    if not text or text.isascii() or not _traditional_chars().search(text):
        return text
    _protect_shipped_gazetteers()
    converted = str(_converter().convert(text))  # type: ignore[attr-defined]
    for word, wrong in _protected.items():
        if wrong in converted and wrong not in text:  # made by the conversion
            converted = converted.replace(wrong, word)
    return converted


def mask_pii(text: str) -> str:
    """Mask ID-card numbers, phone numbers and e-mail addresses, keeping enough to read."""
    text = _ID_CARD.sub(lambda m: m.group(1) + "*" * 12, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    return _EMAIL.sub("***@***", text)


def author_hash(key: bytes, author: str | None) -> str | None:
    """A keyed, stable pseudonym for an author handle (HMAC-SHA256, 16 hex digits)."""
    if not author or not author.strip():
        return None
    return hmac.new(key, author.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def normalize_for_matching(text: str) -> str:
    """The form the tagger and keyword rules see: simplified, full-width folded, lower-case."""
    return unicodedata.normalize("NFKC", to_simplified(text)).lower()
