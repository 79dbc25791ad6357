"""One HTTP POST with a timeout, its failures sorted into transient and permanent."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from yuqing.alerts.channels.base import PermanentError, TransientError
from yuqing.config.settings import Settings

log = logging.getLogger(__name__)

# Retrying may help: the receiver is busy or briefly broken.
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_ERROR_BODY = 300


def json_bytes(data: Any) -> bytes:
    """Deterministic UTF-8 JSON (the exact bytes that are signed are the bytes that are sent)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def post(
    url: str,
    body: bytes,
    *,
    headers: Mapping[str, str],
    timeout: float,
    settings: Settings,
    params: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST ``body``; raise TransientError/PermanentError unless the answer is 2xx."""
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": settings.user_agent,
        **headers,
    }
    where = _display(url)
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            target = httpx.URL(url)
            if params:  # keep the URL's own query (robot access tokens live there)
                target = target.copy_merge_params(dict(params))
            response = client.post(target, content=body, headers=all_headers)
    except httpx.TimeoutException as exc:
        raise TransientError(
            f"{where}: timed out after {timeout:g}s ({type(exc).__name__})"
        ) from exc
    except httpx.TransportError as exc:
        raise TransientError(f"{where}: {type(exc).__name__}: {exc}") from exc
    status = response.status_code
    if 200 <= status < 300:
        return response
    snippet = response.text[:MAX_ERROR_BODY].replace("\n", " ")
    message = f"{where}: HTTP {status}: {snippet}"
    if status in TRANSIENT_STATUS or status >= 500:
        raise TransientError(message, status)
    raise PermanentError(message, status)


def response_json(response: httpx.Response) -> dict[str, Any]:
    """The JSON object a robot answers with (robots answer HTTP 200 with an error code)."""
    try:
        data = response.json()
    except ValueError as exc:
        raise TransientError(
            f"{_display(str(response.url))}: answer is not JSON: {response.text[:100]!r}",
            response.status_code,
        ) from exc
    if not isinstance(data, dict):
        raise TransientError(f"{_display(str(response.url))}: unexpected answer {data!r}")
    return data


def _display(url: str) -> str:
    """The URL for logs: no query, long path segments elided (robot tokens live there)."""
    parts = urlsplit(url)
    path = "/".join(seg if len(seg) < 20 else "…" for seg in parts.path.split("/"))
    return f"{parts.scheme}://{parts.netloc}{path}"
