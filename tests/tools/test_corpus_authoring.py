"""The corpus authoring tool (tools/corpus) reproduces the committed corpus exactly.

posts.csv is the dataset (its dev split is frozen); tools/corpus is how it was written. These
tests make any edit to the fragments, the hand-written posts or the generator that would move
the dataset fail here, so that such a change can only be made deliberately (regenerate, commit
posts.csv with it, refresh the frozen-dev fingerprint).
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml

from tools.corpus.build import SlotError, build, write
from tools.corpus.fragments import FRAGMENTS, FragmentError, load_fragments
from tools.corpus.generate import POSTS, main
from tools.corpus.handwritten import HANDWRITTEN, HandwrittenError

README = POSTS.with_name("README.md")


def test_regenerated_corpus_is_byte_identical_to_committed_posts_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Guards the frozen dataset: ids, splits, texts and labels must not move."""
    out = tmp_path / "posts.csv"
    assert main(["--out", str(out)]) == 0
    assert out.read_bytes() == POSTS.read_bytes(), (
        "tools/corpus no longer reproduces yuqing/nlp/corpus/posts.csv. If the change to the "
        "fragments is deliberate, regenerate with `python -m tools.corpus`, commit posts.csv with "
        "it and refresh the frozen-dev fingerprint; otherwise restore the list order/lengths."
    )
    assert capsys.readouterr().out.startswith("posts: 5220  (train 3919, dev 1301)")


def test_an_edit_to_a_fragment_list_moves_the_dataset(tmp_path: Path) -> None:
    """The byte comparison above can fail: reordering one list changes the output."""
    f = load_fragments()
    common = f.common.model_copy(update={"authorities": f.common.authorities[::-1]})
    edited = dataclasses.replace(f, common=common)
    out = tmp_path / "posts.csv"
    write(build(edited), out)
    assert out.read_bytes() != POSTS.read_bytes()


def test_stats_of_committed_corpus_match_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    """The distribution tables in the corpus README are what --stats prints."""
    assert main(["--stats"]) == 0
    printed = capsys.readouterr().out.strip()
    block = re.search(r"## Distribution.*?```\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block is not None, "no Distribution block in yuqing/nlp/corpus/README.md"
    assert block.group(1).strip() == printed


def edited_fragments(tmp_path: Path, name: str, key: str, value: object) -> Path:
    """A copy of the fragments with one top-level key of one file replaced (None: removed)."""
    root = tmp_path / "fragments"
    shutil.copytree(FRAGMENTS, root)
    path = root / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if value is None:
        del data[key]
    else:
        data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_missing_fragment_key_names_file_and_key(tmp_path: Path) -> None:
    path = edited_fragments(tmp_path, "common.yaml", "authorities", None)
    with pytest.raises(FragmentError) as err:
        load_fragments(path.parent)
    assert str(err.value) == f"{path}: authorities: Field required"


def test_misspelt_fragment_key_is_rejected(tmp_path: Path) -> None:
    path = edited_fragments(tmp_path, "voices.yaml", "weibo_tag", ["#鹤城#"])
    with pytest.raises(FragmentError) as err:
        load_fragments(path.parent)
    assert str(err.value) == f"{path}: weibo_tag: Extra inputs are not permitted"


def test_empty_fragment_list_names_file_and_key(tmp_path: Path) -> None:
    path = edited_fragments(tmp_path, "sectors/aquaculture.yaml", "adverts", [])
    with pytest.raises(FragmentError) as err:
        load_fragments(path.parent.parent)
    assert str(err.value).startswith(f"{path}: adverts: List should have at least 1 item")


def test_unknown_sector_in_ordinary_topics_is_named(tmp_path: Path) -> None:
    path = edited_fragments(tmp_path, "ordinary.yaml", "topics", {"constrution": ["路灯坏了"]})
    with pytest.raises(FragmentError) as err:
        load_fragments(path.parent)
    assert str(err.value).startswith(f"{path}: topics: unknown sector 'constrution' (one of ")


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = edited_fragments(tmp_path, "places.yaml", "villages", ["东升村"])
    path.write_text(path.read_text(encoding="utf-8") + "villages: [东升村\n", encoding="utf-8")
    lines = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(FragmentError) as err:
        load_fragments(path.parent)
    assert str(err.value).startswith(f"{path}:{lines + 1}: not valid YAML: ")


def test_unknown_slot_in_a_fragment_names_the_scenario_and_slot(tmp_path: Path) -> None:
    dates = {"years": ["2024"], "formal": ["{m}月{d}日"], "casual": ["{month}月"]}
    path = edited_fragments(tmp_path, "common.yaml", "dates", dates)
    with pytest.raises(SlotError, match=r"^blanket_complaint: .* unknown slot \{month\}$"):
        build(load_fragments(path.parent))


def test_cli_reports_a_broken_fragment_file_as_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = edited_fragments(tmp_path, "common.yaml", "authorities", None)
    monkeypatch.setattr("tools.corpus.generate.load_fragments", lambda: load_fragments(path.parent))
    out = tmp_path / "posts.csv"
    assert main(["--out", str(out)]) == 2
    assert capsys.readouterr().err == f"error: {path}: authorities: Field required\n"
    assert not out.exists()


def test_bad_handwritten_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "handwritten.txt"
    lines = HANDWRITTEN.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
    lines[first] = "weibo|0100|other||t|blanket without a shutdown"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(HandwrittenError) as err:
        build(load_fragments(), path)
    assert str(err.value) == f"{path}:{first + 1}: blanket without shutdown"
