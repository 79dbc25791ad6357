"""Files written whole or not at all: a temporary file in the same directory, then a rename.

Every file yuqing writes for a person or another program (tag and export output, digests,
reports, model files, the local channels' outbox) goes through here, so that a crash, a full
disk or a bad input never leaves a truncated file where a good one was: readers see the old
file or the new one. Failures to create the file become :class:`OutputFileError`, one line
naming the file and the reason.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, overload

from yuqing.errors import OutputFileError

# A write that fails for one of these is about the output file, not a bug: say which file.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO})


def cannot_write(path: Path | str, exc: OSError) -> OutputFileError:
    reason = exc.strerror or str(exc)
    if isinstance(exc, FileExistsError | NotADirectoryError):  # mkdir through a file
        blocker = next((p for p in Path(path).parents if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            reason = f"{blocker} is a file, not a directory"
    return OutputFileError(f"cannot write {path}: {reason}")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


@overload
def atomic_output(
    path: Path | str,
    mode: Literal["w"] = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    permissions: int = 0o666,
) -> contextlib.AbstractContextManager[IO[str]]: ...


@overload
def atomic_output(
    path: Path | str,
    mode: Literal["wb"],
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    permissions: int = 0o666,
) -> contextlib.AbstractContextManager[IO[bytes]]: ...


def atomic_output(
    path: Path | str,
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
    permissions: int = 0o666,
) -> contextlib.AbstractContextManager[IO[Any]]:
    """``with atomic_output(path) as fh: ...`` writes ``fh`` to a temporary file beside ``path``
    and renames it over ``path`` when the block ends normally (after an fsync); if the block
    raises, the temporary file is removed and ``path`` is left as it was. The parent directory
    is created. ``permissions`` is the mode before the umask (0o600 for secrets)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_output: mode must be 'w' or 'wb', not {mode!r}")
    return _atomic_output(Path(path), mode, encoding, newline, permissions)


@contextlib.contextmanager
def _atomic_output(
    path: Path, mode: str, encoding: str, newline: str | None, permissions: int
) -> Iterator[IO[Any]]:
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, permissions)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    fh: IO[Any]
    if mode == "wb":
        fh = os.fdopen(fd, "wb")
    else:
        fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in _OUTPUT_ERRNOS or exc.filename in (str(tmp), str(path)):
            raise cannot_write(path, exc) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, data: bytes | str, *, permissions: int = 0o666) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole or not at all."""
    if isinstance(data, str):
        with atomic_output(path, "w", newline="", permissions=permissions) as text:
            text.write(data)
    else:
        with atomic_output(path, "wb", permissions=permissions) as binary:
            binary.write(data)


def create_once(path: Path | str, data: str, *, permissions: int = 0o600) -> bool:
    """Create ``path`` holding ``data`` unless it exists; True if this call created it.

    The file appears complete or not at all (written beside it, then hard-linked into place,
    which fails if another process got there first): a reader never sees it empty, as it could
    between an ``O_EXCL`` create and its write, or after a crash in between (generated keys)."""
    path = Path(path)
    tmp = _temp_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, permissions), "w") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)
    except FileExistsError:
        if not path.exists():
            raise
        return False
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return True
