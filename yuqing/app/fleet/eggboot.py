"""The Scrapy settings module of the deployed egg (written into it as ``yuqing_eggboot.py``).

Scrapyd puts the egg, a zip file, on ``sys.path`` and imports the module its ``[scrapy]``
entry point names. yuqing reads its shipped YAML (config, gazetteer, lexicon) as files, which
a zip does not offer; so this module unpacks the egg once (into ``$YUQING_EGG_CACHE``, default
``<tmp>/yuqing-eggs/<sha256 of the egg>``), puts that directory first on ``sys.path`` and only
then imports :mod:`yuqing.crawler.settings`. An egg already unpacked is used as it is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path


def _egg_of(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.is_file():
            return parent if zipfile.is_zipfile(parent) else None
    return None


def unpacked(module_file: str) -> Path | None:
    """The directory the egg holding ``module_file`` is unpacked to (None: not in a zip)."""
    egg = _egg_of(Path(module_file))
    if egg is None:
        return None
    digest = hashlib.sha256(egg.read_bytes()).hexdigest()[:16]
    root = Path(os.environ.get("YUQING_EGG_CACHE") or Path(tempfile.gettempdir()) / "yuqing-eggs")
    target = root / digest
    if not target.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{digest}-", dir=root))
        with zipfile.ZipFile(egg) as z:
            z.extractall(tmp)
        try:
            tmp.rename(target)
        except OSError:  # another crawl of this egg unpacked it first
            shutil.rmtree(tmp, ignore_errors=True)
    return target


_target = unpacked(__file__)
if _target is not None:
    sys.path.insert(0, str(_target))
    for _name in [m for m in sys.modules if m == "yuqing" or m.startswith("yuqing.")]:
        del sys.modules[_name]

from yuqing.crawler.settings import *  # noqa: E402, F403
