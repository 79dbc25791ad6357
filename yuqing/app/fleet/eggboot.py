"""The Scrapy settings module of the deployed egg (written into it as ``yuqing_eggboot.py``).

Scrapyd puts the egg, a zip file, on ``sys.path`` and imports the module its ``[scrapy]``
entry point names. yuqing reads its shipped YAML (config, gazetteer, lexicon) as files, which
a zip does not offer; so this module unpacks the egg once (into ``$YUQING_EGG_CACHE``, default
``<tmp>/yuqing-eggs/<sha256 of the egg>``), puts that directory first on ``sys.path`` and only
then imports :mod:`yuqing.crawler.settings`. An egg already unpacked is used as it is.

The cache keeps the egg this crawl runs and the one used before it (the previous deploy), and
removes the older ones (issue 15), safely while other crawls start or run:

* a crawl holds a shared ``flock`` on ``.locks/<digest>.lock`` for its whole life, taken
  *before* it looks at its directory (and re-taken if the lock file was replaced meanwhile);
* the cleaner removes a version only under an exclusive, non-blocking lock on that file: a
  version some crawl uses is skipped. It first renames the directory away (one atomic step:
  a crawl sees the whole directory or none, and unpacks its egg again if none), then deletes it;
* unpacking goes to a temporary directory renamed into place, so nobody sees half an egg.

Which versions are "current" and "previous" is the order of their last start (the lock
file's modification time, on this node's clock). Only the standard library may be used here:
yuqing is importable only once the egg is unpacked.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

KEEP = 2  # the running version and the previous one
LOCKS = ".locks"
TRASH = ".trash-"
ABANDONED_SECONDS = 3600.0  # an unpack temporary older than this belonged to a dead process
log = logging.getLogger("yuqing_eggboot")
_held: dict[str, int] = {}  # digest → the fd of its shared lock, open for this process's life


def _egg_of(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.is_file():
            return parent if zipfile.is_zipfile(parent) else None
    return None


def cache_root() -> Path:
    return Path(os.environ.get("YUQING_EGG_CACHE") or Path(tempfile.gettempdir()) / "yuqing-eggs")


def _lock(path: Path, how: int) -> int | None:
    """An fd holding ``how`` on the file at ``path`` (the same file still being there after the
    lock was granted), or None when a non-blocking lock is refused."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, how)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:  # removed by a cleaner while we waited for it
            same = False
        if same:
            return fd
        os.close(fd)


def use(root: Path, digest: str) -> int:
    """Hold the shared lock of ``digest`` for this process's life and mark it the newest used."""
    locks = root / LOCKS
    locks.mkdir(parents=True, exist_ok=True)
    if digest not in _held:
        fd = _lock(locks / f"{digest}.lock", fcntl.LOCK_SH)
        assert fd is not None  # blocking
        _held[digest] = fd
    os.utime(locks / f"{digest}.lock")
    return _held[digest]


def unpack(egg: Path, target: Path) -> None:
    """Unpack ``egg`` to ``target`` unless it is there (atomically: a temp dir renamed)."""
    if target.is_dir():
        return
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    with zipfile.ZipFile(egg) as z:
        z.extractall(tmp)
    try:
        tmp.rename(target)
    except OSError:  # another crawl of this egg unpacked it first
        shutil.rmtree(tmp, ignore_errors=True)


def clean(root: Path, keep: int = KEEP) -> list[str]:
    """Remove the unpacked versions but the ``keep`` last started and those in use; the digests
    removed. Leftovers of dead processes (half unpacks, half deletions) go too."""
    locks = root / LOCKS
    versions = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    last_start: dict[str, float] = {}
    for version in versions:
        with contextlib.suppress(FileNotFoundError):
            last_start[version.name] = (locks / f"{version.name}.lock").stat().st_mtime
    ordered = sorted(versions, key=lambda p: last_start.get(p.name, 0.0), reverse=True)
    removed: list[str] = []
    for version in ordered[keep:]:
        if version.name in _held:
            continue
        lock = locks / f"{version.name}.lock"
        fd = _lock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if fd is None:  # a crawl runs from it
            continue
        try:
            trash = root / f"{TRASH}{version.name}-{os.getpid()}"
            try:
                version.rename(trash)
            except FileNotFoundError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            lock.unlink(missing_ok=True)  # a crawl waiting on it re-opens a new one
            removed.append(version.name)
            log.info("egg cache %s: removed %s", root, version.name)
        finally:
            os.close(fd)
    now = time.time()
    for left in root.iterdir():
        if left.name.startswith(TRASH) or (
            left.name.startswith(".")
            and left.name != LOCKS
            and now - left.stat().st_mtime > ABANDONED_SECONDS
        ):
            shutil.rmtree(left, ignore_errors=True)
    return removed


def unpacked(module_file: str) -> Path | None:
    """The directory the egg holding ``module_file`` is unpacked to (None: not in a zip)."""
    egg = _egg_of(Path(module_file))
    if egg is None:
        return None
    digest = hashlib.sha256(egg.read_bytes()).hexdigest()[:16]
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    use(root, digest)  # first: no cleaner removes it from now on
    target = root / digest
    unpack(egg, target)
    try:
        clean(root)
    except OSError as exc:  # a full cache is not a reason to refuse the crawl
        log.warning("egg cache %s: cleaning failed: %s", root, exc)
    return target


_target = unpacked(__file__)
if _target is not None:
    sys.path.insert(0, str(_target))
    for _name in [m for m in sys.modules if m == "yuqing" or m.startswith("yuqing.")]:
        del sys.modules[_name]

from yuqing.crawler.settings import *  # noqa: E402, F403
