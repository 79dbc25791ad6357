"""A local webhook receiver for the demo and the tests (stdlib ``http.server`` on 127.0.0.1).

Every POST is appended to a JSONL log (one line: time, path, query, the headers that matter,
the JSON body, whether the signature checks out, whether the idempotency key was seen
before). It can be told to fail with HTTP 500 — for the first N requests, or for a while —
from code, from the command line (``yuqing receiver serve --fail-first 3``) or over HTTP
(``POST /_control {"fail_next": 3, "fail_for_seconds": 10, "delay_seconds": 0}``); code can
also script exact answers (``respond_next(200, {"errcode": 130101})``, as a robot would).
A failed request is not logged; a slow one (``delay_seconds``) is logged before it answers,
so a sender killed while waiting has been "received" — exactly the crash the outbox handles.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from yuqing.alerts.channels.base import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from yuqing.alerts.channels.webhook import verify

log = logging.getLogger(__name__)
MAX_BODY = 4 * 1024 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: WebhookReceiver


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "yuqing-receiver/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("receiver: " + format, *args)

    def do_GET(self) -> None:
        self._answer(200, {"ok": True, "received": len(self.server.receiver.records())})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
        receiver = self.server.receiver
        parts = urlsplit(self.path)
        if parts.path == "/_control":
            receiver.control(_json(body) or {})
            self._answer(200, {"ok": True})
            return
        status, answer = receiver.handle(
            parts.path, dict(parse_qsl(parts.query)), dict(self.headers), body
        )
        self._answer(status, answer)

    def _answer(self, status: int, data: dict[str, Any]) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


OK_ANSWER: dict[str, Any] = {"ok": True, "errcode": 0, "code": 0, "errmsg": "ok"}
FAIL_ANSWER: dict[str, Any] = {"ok": False, "error": "told to fail"}


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


class WebhookReceiver:
    """Serve in a thread: ``with WebhookReceiver(log_path) as r: ... r.url ... r.records()``."""

    def __init__(
        self,
        log_path: Path,
        *,
        port: int = 0,
        fail_first: int = 0,
        secret: str | None = None,
        delay_seconds: float = 0.0,
    ) -> None:
        self.log_path = Path(log_path)
        self.port = port
        self.secret = secret
        self.delay_seconds = delay_seconds
        self._script: list[tuple[int, dict[str, Any]]] = [(500, FAIL_ANSWER)] * fail_first
        self._fail_until = 0.0
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        self._records: list[dict[str, Any]] = []
        self.requests = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- control ----------------------------------------------------------------------------

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._lock:
            self._script = [(status, FAIL_ANSWER)] * n

    def respond_next(self, status: int, answer: dict[str, Any], times: int = 1) -> None:
        """Answer the next ``times`` requests so (a 200 with an answer is logged as received)."""
        with self._lock:
            self._script += [(status, answer)] * times

    def fail_for(self, seconds: float) -> None:
        with self._lock:
            self._fail_until = time.monotonic() + seconds

    def control(self, data: dict[str, Any]) -> None:
        if "fail_next" in data:
            self.fail_next(int(data["fail_next"]))
        if "fail_for_seconds" in data:
            self.fail_for(float(data["fail_for_seconds"]))
        if "delay_seconds" in data:
            self.delay_seconds = float(data["delay_seconds"])

    # -- requests ---------------------------------------------------------------------------

    def handle(
        self, path: str, query: dict[str, str], headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            status, answer = self._script.pop(0) if self._script else (200, OK_ANSWER)
            if status == 200 and time.monotonic() < self._fail_until:
                status, answer = 500, FAIL_ANSWER
            if status != 200:
                return status, answer
            lower = {k.lower(): v for k, v in headers.items()}
            key = lower.get(IDEMPOTENCY_HEADER.lower())
            data = _json(body)
            if key is None and isinstance(data, dict):
                key = data.get("idempotency_key")
            record: dict[str, Any] = {
                "received_at": datetime.now(UTC).isoformat(),
                "path": path,
                "query": query,
                "idempotency_key": key,
                "duplicate": key is not None and key in self._seen,
                "timestamp": lower.get(TIMESTAMP_HEADER.lower()),
                "signature": lower.get(SIGNATURE_HEADER.lower()),
                "signature_ok": self._verify(lower, body),
                "body": data if data is not None else body.decode("utf-8", "replace"),
            }
            if key is not None:
                self._seen.add(key)
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            # In memory only (never in the log file): every header, for the tests.
            record["headers"] = lower
            self._records.append(record)
            delay = self.delay_seconds
        log.info("receiver: got %s%s", key, " (duplicate)" if record["duplicate"] else "")
        if delay:
            time.sleep(delay)
        return 200, answer

    def _verify(self, headers: dict[str, str], body: bytes) -> bool | None:
        if self.secret is None:
            return None
        ts = headers.get(TIMESTAMP_HEADER.lower())
        sig = headers.get(SIGNATURE_HEADER.lower())
        return bool(ts and sig and verify(self.secret, ts, body, sig))

    def records(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._records)

    def keys(self) -> list[str]:
        return [r["idempotency_key"] for r in self.records() if r["idempotency_key"]]

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "receiver is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def bind(self) -> WebhookReceiver:
        """Open the listening socket (the port is known from here on)."""
        if self._server is None:
            self._server = _Server(("127.0.0.1", self.port), _Handler)
            self._server.receiver = self
            self.port = int(self._server.server_address[1])
        return self

    def start(self) -> WebhookReceiver:
        """Serve in a background thread."""
        self.bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI) until :meth:`shutdown` is called elsewhere."""
        self.bind()
        assert self._server is not None
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()
            self._server = None

    def shutdown(self) -> None:
        """End :meth:`serve_forever` (call from another thread or a signal handler thread)."""
        if self._server is not None:
            threading.Thread(target=self._server.shutdown, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def read_log(path: Path) -> list[dict[str, Any]]:
    """The records a receiver logged (for the demo's summary and the tests)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
