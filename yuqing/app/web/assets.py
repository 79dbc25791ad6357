"""The static files (``/static/…``), served from memory (issue 15).

Starlette's ``StaticFiles`` hands every request to worker threads four times (stat, open, read,
close): under load each hand-off waits for the GIL behind the page handlers, and a 16 kB
stylesheet cost as much CPU as a small page's queries. The few files under ``static/`` are
read once and re-read only when their size or mtime changes (one ``stat`` on the event loop),
with the same headers as ``StaticFiles`` (ETag, Last-Modified, 304 on If-None-Match or
If-Modified-Since). What this does not answer (other methods, ranges, unknown files) is left to
the ``StaticFiles`` mount behind it. Behind nginx, the reference configuration serves
``/static/`` itself (deploy/nginx/yuqing.conf).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate, parsedate
from pathlib import Path

PREFIX = "/static/"


@dataclass(frozen=True)
class Asset:
    body: bytes
    headers: list[tuple[bytes, bytes]]  # content-type, content-length, last-modified, etag
    etag: str
    last_modified: str
    stamp: tuple[int, int]  # (mtime_ns, size) the body was read at


class Assets:
    """The files of ``directory`` by URL path (``/static/app.css``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._cache: dict[str, Asset] = {}

    def _file(self, path: str) -> Path | None:
        """The file a ``/static/…`` path names, if it is a plain file inside the directory."""
        name = path[len(PREFIX) :]
        if not name or "\\" in name or "\x00" in name:
            return None
        parts = name.split("/")
        if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            return None
        return self.directory.joinpath(*parts)

    def get(self, path: str) -> Asset | None:
        """The asset at ``path`` (re-read when the file changed), or None."""
        file = self._file(path)
        if file is None:
            return None
        try:
            st = os.stat(file)
        except (OSError, ValueError):
            self._cache.pop(path, None)
            return None
        if not os.path.isfile(file):
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        asset = self._cache.get(path)
        if asset is None or asset.stamp != stamp:
            try:
                body = file.read_bytes()
            except OSError:
                return None
            asset = _asset(file, body, st)
            if asset.stamp != stamp:  # changed while read: serve it, cache it next time
                return asset
            self._cache[path] = asset
        return asset


def _asset(file: Path, body: bytes, st: os.stat_result) -> Asset:
    media, _ = mimetypes.guess_type(str(file))
    media = media or "text/plain"
    if media.startswith("text/"):
        media += "; charset=utf-8"
    # as Starlette's FileResponse computes them, so a browser's cached copy stays valid
    last_modified = formatdate(st.st_mtime, usegmt=True)
    etag_base = f"{st.st_mtime}-{st.st_size}"
    etag = f'"{hashlib.md5(etag_base.encode(), usedforsecurity=False).hexdigest()}"'
    headers = [
        (b"content-type", media.encode("latin-1")),
        (b"accept-ranges", b"bytes"),
        (b"content-length", str(len(body)).encode()),
        (b"last-modified", last_modified.encode()),
        (b"etag", etag.encode()),
    ]
    return Asset(body, headers, etag, last_modified, (st.st_mtime_ns, len(body)))


def not_modified(asset: Asset, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Starlette's rule: If-None-Match decides when given, else If-Modified-Since."""
    if if_none_match:
        if if_none_match.strip() == "*":
            return True
        return asset.etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    if if_modified_since:
        since, modified = parsedate(if_modified_since), parsedate(asset.last_modified)
        return since is not None and modified is not None and since >= modified
    return False
