"""Word segmentation: one jieba tokenizer per process with the domain lexicon, the gazetteer's
names and the configured user dictionary added as words.

The tokenizer is a private ``jieba.Tokenizer`` (the global ``jieba`` dictionary is left alone,
so other code in the process segments as before). Building it costs about a second (jieba loads
its dictionary from a marshal cache); :func:`get_segmenter` builds it once and caches it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba

from yuqing.config.errors import ConfigError
from yuqing.nlp.fastcut import FastCut

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading to stderr by default

_LOCK = threading.Lock()
MAX_SUBWORD = 8  # longest dictionary word looked for inside a token (search mode)


def domain_words() -> list[str]:
    """The shipped domain lexicon (lexicon/domain.txt), in file order."""
    text = resources.files("yuqing.nlp.lexicon").joinpath("domain.txt").read_text("utf-8")
    words = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line.split()[0])
    return words


class Segmenter:
    """jieba segmentation with domain words. ``hmm`` enables jieba's HMM for unknown words."""

    def __init__(
        self, extra_words: Iterable[str] = (), user_dict: Path | None = None, hmm: bool = True
    ) -> None:
        self.hmm = hmm
        tok = jieba.Tokenizer()
        tok.initialize()
        for word in [*domain_words(), *extra_words]:
            if word and word.strip() == word:
                # A high frequency keeps names whole even next to common words (龙江县 + 县城).
                tok.add_word(word, freq=max(tok.FREQ.get(word, 0) or 0, 20000))
        if user_dict is not None:
            try:
                with user_dict.open("rb") as fh:
                    tok.load_userdict(fh)
            except OSError as exc:
                raise ConfigError(
                    "settings", "nlp.user_dict", f"cannot read {user_dict}: {exc.strerror}"
                ) from exc
            except (ValueError, UnicodeDecodeError) as exc:
                raise ConfigError(
                    "settings", "nlp.user_dict", f"{user_dict}: not a jieba dictionary: {exc}"
                ) from exc
        self._tok = tok
        self._fast = FastCut(tok)

    def tokens(self, text: str) -> list[str]:
        """jieba's tokens of ``text``, whitespace runs included (they mark line breaks).
        Without HMM they come from :class:`~yuqing.nlp.fastcut.FastCut` (the same tokens,
        about half the time)."""
        if not self.hmm:
            return self._fast.cut(text)
        return list(self._tok.cut(text, HMM=True))

    def words(self, text: str) -> list[str]:
        """The words of ``text`` (whitespace tokens dropped)."""
        return [w for w in self.tokens(text) if not w.isspace()]

    def index_pieces(self, text: str) -> list[str]:
        """The full-text index's words of normalized ``text`` (``yuqing.store.fts.Segment``):
        :meth:`search_words` of its :meth:`tokens`."""
        return self.search_words(self.tokens(text))

    def search_words(self, tokens: Iterable[str]) -> list[str]:
        """Search mode over tokens already cut (:meth:`tokens`): each token preceded by the
        dictionary words inside it, as ``jieba.Tokenizer.cut_for_search`` does with its own
        ``cut`` (it looks at the 2- and 3-character ones; here every length up to
        :data:`MAX_SUBWORD` counts, so a name kept whole by the gazetteer, 齐齐哈尔市, still
        yields 齐齐哈尔). The full-text index's words, without cutting the text again."""
        freq = self._tok.FREQ
        out: list[str] = []
        for w in tokens:
            n = len(w)
            for k in range(2, min(n, MAX_SUBWORD + 1)):
                out.extend(g for i in range(n - k + 1) if freq.get(g := w[i : i + k]))
            out.append(w)
        return out


@lru_cache(maxsize=4)
def _cached(extra: tuple[str, ...], user_dict: Path | None, hmm: bool) -> Segmenter:
    return Segmenter(extra, user_dict, hmm)


def get_segmenter(
    extra_words: Iterable[str] = (), user_dict: Path | None = None, hmm: bool = True
) -> Segmenter:
    """The process-wide segmenter for these words (built on first use, then shared)."""
    with _LOCK:
        return _cached(tuple(sorted(set(extra_words))), user_dict, hmm)
