"""One tagger per process and configuration: :func:`load_tagger` opens the saved model (building
it when missing) and keeps it; :func:`clear_cache` forgets it. Kept apart from ``tagger`` so
that the tagger does not import the build that makes it."""

from __future__ import annotations

import threading
from typing import Any

from yuqing.config import Config
from yuqing.nlp.build import open_tagger
from yuqing.nlp.tagger import Tagger

_CACHE: dict[tuple[Any, ...], Tagger] = {}
_CACHE_LOCK = threading.Lock()


def _cache_key(config: Config) -> tuple[Any, ...]:
    s = config.settings
    return (
        str(s.data_dir.resolve()),
        s.gazetteer,
        config.gazetteer.model_dump_json(),
        s.nlp.model_dump_json(),
    )


def load_tagger(config: Config, build_if_missing: bool = True) -> Tagger:
    """The tagger for ``config``, loaded once per process (later calls return the same one).

    With ``build_if_missing`` a missing model is trained from the shipped corpus first (a few
    seconds); otherwise :class:`~yuqing.nlp.errors.ModelMissingError` says how to build it.
    """
    key = _cache_key(config)
    with _CACHE_LOCK:
        tagger = _CACHE.get(key)
        if tagger is None:
            tagger = _CACHE[key] = open_tagger(config, build_if_missing)
        return tagger


def clear_cache() -> None:
    """Forget loaded taggers (after ``yuqing nlp train`` in the same process, and in tests)."""
    with _CACHE_LOCK:
        _CACHE.clear()
