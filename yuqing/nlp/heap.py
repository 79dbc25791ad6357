"""Give the heap that loading freed back to the operating system.

Loading the tagger reads the model archive (~34 MB) and jieba's dictionary cache into memory,
builds from them and drops the buffers; glibc keeps most of what was freed mapped (the process
keeps it as resident memory for ever). ``malloc_trim(0)`` returns those free pages: after the
model load ~20 MB, after jieba's dictionary ~15 MB (yuqing/nlp/README.md, peak memory). Nothing
the process holds moves or changes; where glibc is absent (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    try:  # the symbols of the running process, libc's among them
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


def release_free_memory() -> bool:
    """Return the heap's free pages to the OS (glibc ``malloc_trim``); False where unavailable."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
