"""jieba's accurate-mode cut without HMM (``Tokenizer.cut(text, HMM=False)``), the same tokens
in less time: the prefix dictionary scan (``get_DAG``) and the best route (``calc``) are one
right-to-left pass over plain lists, without the DAG dict, generators and tuples of jieba's
version.

The arithmetic and the tie-breaking are jieba 0.42's: a word's score is
``log(freq or 1) - log(total) + score after it``, and of equal scores the longest word wins.
``tests/nlp/test_fast_paths.py`` compares the two on the shipped corpus and on edge cases; the
segmenter falls back to jieba's own cut for HMM mode.
"""

from __future__ import annotations

from math import log
from typing import Any

import jieba

# jieba's own block and whitespace patterns (what Tokenizer.cut splits a text by)
_HAN = jieba.re_han_default
_SKIP = jieba.re_skip_default
# a single character that jieba glues to its neighbours of the same kind (jieba.re_eng)
_ENG = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class FastCut:
    """``cut(text)`` == ``list(tokenizer.cut(text, HMM=False))`` for an initialized tokenizer."""

    def __init__(self, tokenizer: Any) -> None:
        tokenizer.check_initialized()
        self._tok = tokenizer

    def cut(self, text: str) -> list[str]:
        out: list[str] = []
        for k, blk in enumerate(_HAN.split(text)):
            if not blk:
                continue
            if k % 2:  # a match of the block pattern (split keeps them at odd positions)
                out += self._cut_block(blk)
            else:  # no block character: whitespace runs whole, anything else one by one
                for x in _SKIP.split(blk):
                    if _SKIP.match(x):
                        out.append(x)
                    else:
                        out += x
        return out

    def _cut_block(self, blk: str) -> list[str]:
        get = self._tok.FREQ.get
        logtotal = log(self._tok.total)
        n = len(blk)
        score = [0.0] * (n + 1)
        end = list(range(n + 1))
        for idx in range(n - 1, -1, -1):
            best: float | None = None
            at = idx
            i = idx
            f = get(blk[idx])
            while f is not None:  # every dictionary word (or prefix) starting at idx
                if f:
                    s = log(f) - logtotal + score[i + 1]
                    if best is None or s >= best:  # jieba's max over (score, end)
                        best, at = s, i
                i += 1
                if i >= n:
                    break
                f = get(blk[idx : i + 1])
            if best is None:  # no word: the character alone (freq 1)
                best = log(1) - logtotal + score[idx + 1]
            score[idx] = best
            end[idx] = at + 1
        words: list[str] = []
        buf = ""
        x = 0
        while x < n:
            y = end[x]
            word = blk[x:y]
            if y - x == 1 and word in _ENG:
                buf += word
            else:
                if buf:
                    words.append(buf)
                    buf = ""
                words.append(word)
            x = y
        if buf:
            words.append(buf)
        return words
