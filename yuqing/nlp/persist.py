"""Model files: a skops archive (never pickle) plus a JSON metadata file beside it.

The metadata records the library versions, the feature version, the SHA-256 of the archive and
whatever the builder adds (corpus hash, dev metrics, build time). Loading checks all of these
and turns every failure into a one-line :mod:`yuqing.nlp.errors` message that says how to
rebuild. Only scikit-learn and numpy types are trusted inside an archive.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

import jieba
import numpy
import scipy
import sklearn
import skops
import skops.io as sio

from yuqing.atomic import write_atomic
from yuqing.nlp.errors import ModelCorruptError, ModelMissingError, ModelVersionError

FORMAT = 1
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.")


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "jieba": str(getattr(jieba, "__version__", "unknown")),
    }


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(path: Path, obj: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """Write ``obj`` to ``path`` (skops) and its metadata to ``path.json``; returns the metadata."""
    data = sio.dumps(obj)
    write_atomic(path, data)
    meta = {
        "format": FORMAT,
        **metadata,
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "versions": library_versions(),
    }
    text = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(meta_path(path), text.encode("utf-8"))
    return meta


def read_metadata(path: Path, rebuild: str) -> dict[str, Any]:
    mpath = meta_path(path)
    if not path.exists():
        raise ModelMissingError(f"no model file at {path}; {rebuild}")
    try:
        meta = json.loads(mpath.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelCorruptError(f"{mpath} is missing (it belongs to {path}); {rebuild}") from exc
    except (OSError, ValueError) as exc:
        raise ModelCorruptError(f"{mpath} is unreadable ({exc}); {rebuild}") from exc
    if not isinstance(meta, dict):
        raise ModelCorruptError(f"{mpath} is not a metadata object; {rebuild}")
    return meta


def check_versions(path: Path, meta: dict[str, Any], feature_version: int, rebuild: str) -> None:
    if meta.get("format") != FORMAT:
        raise ModelVersionError(
            f"{path} has model format {meta.get('format')!r}, this yuqing reads {FORMAT}; {rebuild}"
        )
    if meta.get("feature_version") != feature_version:
        raise ModelVersionError(
            f"{path} was built with feature version {meta.get('feature_version')!r}, this yuqing "
            f"uses {feature_version}; {rebuild}"
        )
    built = str(meta.get("versions", {}).get("scikit-learn", "unknown"))
    if _minor(built) != _minor(sklearn.__version__):
        raise ModelVersionError(
            f"{path} was built with scikit-learn {built}, this is {sklearn.__version__}; {rebuild}"
        )


def load(path: Path, feature_version: int, rebuild: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object saved at ``path`` and its metadata, after every check."""
    meta = read_metadata(path, rebuild)
    check_versions(path, meta, feature_version, rebuild)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelCorruptError(f"cannot read {path}: {exc.strerror}; {rebuild}") from exc
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        raise ModelCorruptError(
            f"{path} does not match its metadata (damaged or replaced); {rebuild}"
        )
    try:
        untrusted = sio.get_untrusted_types(data=data)
        bad = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
        if bad:
            raise ModelCorruptError(f"{path} contains unexpected type {bad[0]}; {rebuild}")
        obj = sio.loads(data, trusted=untrusted)
    except ModelCorruptError:
        raise
    except Exception as exc:  # skops raises many kinds on damaged archives
        raise ModelCorruptError(
            f"{path} cannot be read ({type(exc).__name__}: {exc}); {rebuild}"
        ) from exc
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise ModelCorruptError(f"{path} does not hold a yuqing model; {rebuild}")
    return obj, meta
