"""Issue 15: the nodes' egg cache (yuqing/app/fleet/eggboot.py) keeps the version a crawl
starts from and the previous one; older ones go, unless a crawl still runs from them, and a
crawl whose version was removed just as it started unpacks it again."""

from __future__ import annotations

import fcntl
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from yuqing.app.fleet import eggboot


@pytest.fixture(autouse=True)
def _own_locks() -> Iterator[None]:
    """Each "crawl" below is a process of its own: the locks this one holds are dropped."""
    yield
    for fd in eggboot._held.values():
        os.close(fd)
    eggboot._held.clear()


def _egg(tmp_path: Path, version: int) -> Path:
    egg = tmp_path / "eggs" / f"{version}.egg"
    egg.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(egg, "w") as z:
        z.writestr("yuqing/config/settings.yaml", f"version: {version}\n")
    return egg


def _start(root: Path, egg: Path, at: float) -> tuple[str, int]:
    """A crawl starting from ``egg`` at time ``at``: (its digest, the lock it holds)."""
    target = eggboot.unpacked(str(egg / "yuqing_eggboot.py"))
    assert target is not None and (target / "yuqing/config/settings.yaml").is_file()
    os.utime(root / eggboot.LOCKS / f"{target.name}.lock", (at, at))
    return target.name, eggboot._held.pop(target.name)


def _versions(root: Path) -> set[str]:
    return {p.name for p in root.iterdir() if not p.name.startswith(".")}


def test_the_cache_keeps_the_current_and_previous_version_and_those_in_use_issue_15(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("YUQING_EGG_CACHE", str(root))
    v1, running = _start(root, _egg(tmp_path, 1), 1000.0)  # a long crawl: still running
    v2, fd = _start(root, _egg(tmp_path, 2), 2000.0)
    os.close(fd)  # ended
    v3, fd = _start(root, _egg(tmp_path, 3), 3000.0)
    os.close(fd)
    assert _versions(root) == {v1, v2, v3}  # v2 went only when the next crawl started
    v4, fd = _start(root, _egg(tmp_path, 4), 4000.0)
    os.close(fd)
    assert _versions(root) == {v4, v3, v1}  # v2 removed; v1 kept: a crawl runs from it
    assert not (root / eggboot.LOCKS / f"{v2}.lock").exists()
    os.close(running)  # the long crawl ends
    v5, fd = _start(root, _egg(tmp_path, 5), 5000.0)
    os.close(fd)
    assert _versions(root) == {v5, v4}
    assert sorted(p.name for p in (root / eggboot.LOCKS).iterdir()) == sorted(
        f"{v}.lock" for v in (v4, v5)
    )


def test_a_crawl_whose_version_is_removed_as_it_starts_unpacks_it_again_issue_15(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cleaner holds the version's lock and removes it while the crawl waits for that
    lock: the crawl ends up holding the new lock file and finds its directory again."""
    root = tmp_path / "cache"
    monkeypatch.setenv("YUQING_EGG_CACHE", str(root))
    egg = _egg(tmp_path, 1)
    digest, fd = _start(root, egg, 1000.0)
    os.close(fd)
    lock = root / eggboot.LOCKS / f"{digest}.lock"
    cleaner = eggboot._lock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert cleaner is not None
    started: list[Path | None] = []
    crawl = threading.Thread(target=lambda: started.append(eggboot.unpacked(str(egg / "m.py"))))
    crawl.start()
    fds = Path("/proc/self/fd")
    for _ in range(1000):  # until the crawl has opened the lock file (it then blocks)
        opened = [f for f in fds.iterdir() if _points_to(f, lock)]
        if len(opened) == 2:
            break
        threading.Event().wait(0.01)
    (root / digest).rename(root / f"{eggboot.TRASH}{digest}-x")  # the cleaner's steps
    lock.unlink()
    os.close(cleaner)
    crawl.join(timeout=30)
    assert started == [root / digest]
    assert (root / digest / "yuqing/config/settings.yaml").is_file()
    held = eggboot._held[digest]
    assert os.fstat(held).st_ino == lock.stat().st_ino  # the lock a cleaner would now see
    assert eggboot._lock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB) is None
    assert not any(p.name.startswith(eggboot.TRASH) for p in root.iterdir())


def _points_to(fd: Path, path: Path) -> bool:
    try:
        return os.readlink(fd) == str(path)
    except OSError:
        return False


def test_leftovers_of_dead_unpacks_and_cleanings_are_removed_issue_15(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "cache"
    monkeypatch.setenv("YUQING_EGG_CACHE", str(root))
    (root / f"{eggboot.TRASH}abc-1").mkdir(parents=True)  # a cleaner killed mid-rmtree
    old = root / ".abc-half"  # an unpack killed an hour ago
    old.mkdir()
    os.utime(old, (1.0, 1.0))
    fresh = root / ".def-half"  # an unpack going on now
    fresh.mkdir()
    _start(root, _egg(tmp_path, 1), 1000.0)
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == [
        ".def-half",
        eggboot.LOCKS,
    ]
