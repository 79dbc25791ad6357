"""Model files: a skops archive (never pickle) plus a JSON metadata file beside it.

The metadata records the library versions, the feature version, the SHA-256 of the archive and
whatever the builder adds (corpus hash, dev metrics, build time). Loading checks all of these
and turns every failure into a one-line :mod:`yuqing.nlp.errors` message that says how to
rebuild. Only scikit-learn and numpy types are trusted inside an archive.

An archive may also hold plain numpy arrays (``arrays/NAME.npy`` members beside skops's own,
``save(arrays=...)``): :func:`load_arrays` reads them with numpy alone, without importing
scikit-learn or skops (the tagger's memory, yuqing/nlp/README.md); skops ignores them.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy

from yuqing.atomic import write_atomic
from yuqing.nlp.errors import ModelCorruptError, ModelMissingError, ModelVersionError

FORMAT = 1
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.")
ARRAYS = "arrays/"  # the plain arrays' members in the archive
_CHUNK = 1 << 20


def library_versions() -> dict[str, str]:
    import jieba
    import scipy
    import sklearn
    import skops

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


def _sklearn_version() -> str:
    """scikit-learn's version, without importing it when it is not imported yet."""
    module = sys.modules.get("sklearn")
    if module is not None:
        return str(module.__version__)
    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:  # installed without its metadata
        import sklearn

        return str(sklearn.__version__)


def _sha256(fh: IO[bytes]) -> str:
    """The SHA-256 of an open file, read in chunks (not the whole archive in memory)."""
    digest = hashlib.sha256()
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _with_arrays(data: bytes, arrays: dict[str, numpy.ndarray]) -> bytes:
    """The zip archive ``data`` with each array added as the member ``arrays/NAME.npy``
    (strings deflated, numbers stored as they are)."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        for name, array in sorted(arrays.items()):
            info = zipfile.ZipInfo(f"{ARRAYS}{name}.npy")
            if array.dtype.kind in "SU":
                info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                numpy.lib.format.write_array(fh, numpy.asarray(array), allow_pickle=False)
    return buf.getvalue()


def save(
    path: Path,
    obj: dict[str, Any],
    metadata: dict[str, Any],
    arrays: dict[str, numpy.ndarray] | None = None,
) -> dict[str, Any]:
    """Write ``obj`` to ``path`` (skops), with ``arrays`` as plain members of the same archive,
    and its metadata to ``path.json``; returns the metadata."""
    import skops.io as sio

    data = sio.dumps(obj)
    if arrays:
        data = _with_arrays(data, arrays)
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
    if _minor(built) != _minor(_sklearn_version()):
        raise ModelVersionError(
            f"{path} was built with scikit-learn {built}, this is {_sklearn_version()}; {rebuild}"
        )


def load_arrays(
    path: Path, feature_version: int, rebuild: str
) -> tuple[dict[str, numpy.ndarray] | None, dict[str, Any]]:
    """The plain arrays of the archive at ``path`` (None: it has none, read it with
    :func:`load`) and its metadata, after the same checks as :func:`load`; numpy only."""
    meta = read_metadata(path, rebuild)
    check_versions(path, meta, feature_version, rebuild)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ModelCorruptError(f"cannot read {path}: {exc.strerror}; {rebuild}") from exc
    with fh:  # hashed and read through one descriptor: a file replaced meanwhile is not mixed in
        try:
            digest = _sha256(fh)
        except OSError as exc:
            raise ModelCorruptError(f"cannot read {path}: {exc.strerror}; {rebuild}") from exc
        if digest != meta.get("sha256"):
            raise ModelCorruptError(
                f"{path} does not match its metadata (damaged or replaced); {rebuild}"
            )
        fh.seek(0)
        try:
            with zipfile.ZipFile(fh) as zf:
                names = [n for n in zf.namelist() if n.startswith(ARRAYS) and n.endswith(".npy")]
                out: dict[str, numpy.ndarray] = {}
                for name in names:
                    with zf.open(name) as member:
                        key = name[len(ARRAYS) : -len(".npy")]
                        out[key] = numpy.lib.format.read_array(member, allow_pickle=False)
        except Exception as exc:  # zipfile and numpy raise many kinds on damaged archives
            raise ModelCorruptError(
                f"{path} cannot be read ({type(exc).__name__}: {exc}); {rebuild}"
            ) from exc
    return (out or None), meta


def load(path: Path, feature_version: int, rebuild: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The object saved at ``path`` and its metadata, after every check."""
    import skops.io as sio

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
