"""The digest's e-mail body: its own HTML with the charts as inline images (``cid:``).

The digest payload carries the archived HTML, whose charts are ``data:image/png;base64,…``
URIs (so the file stands alone). Mail clients block data URIs, so for e-mail each one becomes
a ``multipart/related`` part referenced by ``cid:``; the plain-text alternative is the
digest's full text. Called by the e-mail channel for ``kind="digest"`` rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

_DATA_URI = re.compile(r'src="data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=]+)"')


def inline_images(html: str) -> tuple[str, list[tuple[str, str, bytes]]]:
    """``html`` with data: images replaced by ``cid:`` references, and the images as
    (content id, subtype, bytes). Content ids are derived from the bytes (stable)."""
    images: list[tuple[str, str, bytes]] = []

    def replace(m: re.Match[str]) -> str:
        try:
            data = base64.b64decode(m.group(2), validate=True)
        except (binascii.Error, ValueError):
            return m.group(0)
        cid = f"chart-{len(images)}-{hashlib.sha256(data).hexdigest()[:12]}@yuqing"
        images.append((cid, m.group(1), data))
        return f'src="cid:{cid}"'

    return _DATA_URI.sub(replace, html), images


def set_digest_body(msg: EmailMessage, digest: Mapping[str, Any]) -> bool:
    """Replace ``msg``'s body by the digest's text and HTML with inline charts; False (and
    ``msg`` untouched) when the payload carries no HTML."""
    html = digest.get("html")
    if not isinstance(html, str) or not html:
        return False
    text = digest.get("full_text") or digest.get("text") or ""
    body, images = inline_images(html)
    msg.clear_content()
    msg.set_content(str(text), subtype="plain", charset="utf-8")
    msg.add_alternative(body, subtype="html", charset="utf-8")
    html_part = msg.get_body(("html",))
    assert isinstance(html_part, EmailMessage)
    for cid, subtype, data in images:
        html_part.add_related(
            data,
            maintype="image",
            subtype=subtype,
            cid=f"<{cid}>",
            filename=cid.split("@")[0] + "." + subtype,
        )
    return True
