"""Issue 14: outputs are written whole or not at all (yuqing.atomic)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from yuqing.atomic import atomic_output, write_atomic
from yuqing.errors import OutputFileError


def test_a_failure_midway_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "tags.csv"
    target.write_text("id,flag\n1,0\n2,1\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="bad row"), atomic_output(target) as fh:
        fh.write("id,flag\n")
        raise RuntimeError("bad row")
    assert target.read_text(encoding="utf-8") == "id,flag\n1,0\n2,1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tags.csv"]


def test_the_new_file_replaces_the_old_one_with_ordinary_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.json"  # the directory is created
    write_atomic(target, "旧\n")
    write_atomic(target, "新\n")
    assert target.read_text(encoding="utf-8") == "新\n"
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    write_atomic(tmp_path / "secret", b"k", permissions=0o600)
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_an_unwritable_place_names_the_file_and_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputFileError) as err, atomic_output(blocker / "out.csv"):
        pass
    assert str(err.value) == (
        f"cannot write {blocker / 'out.csv'}: {blocker} is a file, not a directory"
    )
    assert err.value.exit_code == 73
    with pytest.raises(OutputFileError) as err, atomic_output("/proc/yuqing-test/out.csv"):
        pass
    assert str(err.value).startswith("cannot write /proc/yuqing-test/out.csv: ")


def test_binary_mode_and_bad_modes(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "b.bin", "wb") as fh:
        fh.write(b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    with pytest.raises(ValueError, match="mode must be"):
        atomic_output(tmp_path / "c", "a")  # type: ignore[call-overload]


def test_create_once_never_shows_an_empty_file_and_has_one_winner(tmp_path: Path) -> None:
    """The generated-key files: created whole by exactly one of several racing workers."""
    from concurrent.futures import ThreadPoolExecutor

    from yuqing.atomic import create_once

    target = tmp_path / "secrets" / "key"
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: create_once(target, f"key-{i}"), range(16)))
    assert won.count(True) == 1
    assert target.read_text(encoding="utf-8") == f"key-{won.index(True)}"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["key"]


def test_an_empty_author_key_file_is_refused(tmp_path: Path) -> None:
    from yuqing.config import ConfigError
    from yuqing.config.settings import Secrets, author_hash_key

    secrets = Secrets.from_env({})
    first = author_hash_key(secrets, tmp_path)
    assert len(first) == 64 and author_hash_key(secrets, tmp_path) == first
    (tmp_path / "secrets" / "author_hash_key").write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="author_hash_key: the author hash key file is empty"):
        author_hash_key(secrets, tmp_path)
