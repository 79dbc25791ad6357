"""Scrapyd's JSON API for one node (Scrapyd 1.6: https://scrapyd.readthedocs.io/en/stable/api.html).

Every call answers a dict with ``status: ok`` or raises :class:`NodeError` (unreachable, an
HTTP error, or ``status: error`` with Scrapyd's message). Credentials (HTTP basic auth) come
from the environment variable the node's ``auth_env`` names, as ``user:password``.

What an operator reads in a :class:`NodeError` (issue 15): the node, the endpoint and why, in
one line — "no answer within 10 s", "HTTP 401: the node refused the credentials in
YUQING_N1_AUTH", Scrapyd's own message from an error JSON (also on HTTP 4xx/5xx), or the title
of an HTML page (a proxy's "502 Bad Gateway") instead of "not JSON". ``kind`` sorts them:
``unreachable``, ``timeout``, ``auth``, ``http``, ``answer`` (not Scrapyd's JSON), ``error``
(Scrapyd's ``status: error``), ``config``.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

from yuqing.app.errors import AppError
from yuqing.config.crawl import ScrapydNode
from yuqing.config.settings import read_secret

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
SCHEDULE_TIMEOUT_SECONDS = 120.0
UPLOAD_TIMEOUT_SECONDS = 120.0


class NodeError(AppError):
    """A Scrapyd node did not answer, or answered an error."""

    def __init__(self, node: str, message: str, kind: str = "error") -> None:
        self.node = node
        self.kind = kind
        self.reason = message
        super().__init__(f"scrapyd node {node}: {message}")


@dataclass
class Jobs:
    """``listjobs.json`` of one project: job id → its entry, per state."""

    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    running: dict[str, dict[str, Any]] = field(default_factory=dict)
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)

    def state(self, job_id: str) -> str | None:
        for name in ("running", "pending", "finished"):
            if job_id in getattr(self, name):
                return name
        return None


def auth_of(node: ScrapydNode) -> tuple[str, str] | None:
    if not node.auth_env:
        return None
    value = read_secret(node.auth_env)
    if not value:
        raise NodeError(
            node.name, f"{node.auth_env} is not set (expected user:password)", kind="config"
        )
    user, sep, password = value.partition(":")
    if not sep:
        raise NodeError(
            node.name, f"{node.auth_env} is not of the form user:password", kind="config"
        )
    return user, password


class ScrapydClient:
    def __init__(self, node: ScrapydNode, timeout: float | None = None) -> None:
        self.node = node
        self.timeout = timeout or TIMEOUT_SECONDS

    @property
    def name(self) -> str:
        return self.node.name

    def _call(
        self,
        method: str,
        endpoint: str,
        params: list[tuple[str, str]] | None = None,
        files: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        url = f"{self.node.url}/{endpoint}"
        seconds = timeout or self.timeout
        auth = auth_of(self.node)
        try:
            with httpx.Client(auth=auth, timeout=seconds) as http:
                if method == "GET":
                    resp = http.get(url, params=_form(params))
                else:
                    resp = http.post(url, data=_form(params), files=files)
        except httpx.TimeoutException as exc:
            raise NodeError(
                self.name, f"{endpoint}: no answer within {seconds:g} s", kind="timeout"
            ) from exc
        except httpx.HTTPError as exc:
            raise NodeError(
                self.name, f"{endpoint}: {type(exc).__name__}: {exc}", kind="unreachable"
            ) from exc
        body = _json(resp)
        if resp.status_code in (401, 403):
            why = (
                f"the node refused the credentials in {self.node.auth_env}"
                if self.node.auth_env
                else "the node asks for credentials: set auth_env for it in crawl.nodes"
            )
            raise NodeError(self.name, f"{endpoint}: HTTP {resp.status_code}: {why}", kind="auth")
        if resp.status_code != 200:
            detail = _message(body) if body is not None else _text(resp)
            raise NodeError(
                self.name,
                f"{endpoint}: HTTP {resp.status_code}" + (f": {detail}" if detail else ""),
                kind="http",
            )
        if not isinstance(body, dict):
            what = resp.headers.get("content-type", "no content type").split(";")[0]
            detail = _text(resp)
            raise NodeError(
                self.name,
                f"{endpoint}: not Scrapyd's JSON ({what})" + (f": {detail}" if detail else ""),
                kind="answer",
            )
        if body.get("status") != "ok":
            raise NodeError(self.name, f"{endpoint}: {_message(body)}")
        return body

    def daemonstatus(self) -> dict[str, Any]:
        return self._call("GET", "daemonstatus.json")

    def schedule(
        self,
        project: str,
        spider: str,
        job_id: str,
        settings: dict[str, str],
    ) -> str:
        params = [("project", project), ("spider", spider), ("jobid", job_id)]
        params += [("setting", f"{k}={v}") for k, v in settings.items()]
        # Scrapyd runs `scrapy list` for a project's first schedule: seconds, not milliseconds
        body = self._call("POST", "schedule.json", params, timeout=SCHEDULE_TIMEOUT_SECONDS)
        if not body.get("jobid"):
            raise NodeError(self.name, "schedule.json: the answer names no jobid", kind="answer")
        return str(body["jobid"])

    def listjobs(self, project: str) -> Jobs:
        body = self._call("GET", "listjobs.json", [("project", project)])
        jobs = Jobs()
        for state in ("pending", "running", "finished"):
            entries = body.get(state, [])
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise NodeError(
                    self.name, f"listjobs.json: {state!r} is not a list of jobs", kind="answer"
                )
            for entry in entries:
                getattr(jobs, state)[str(entry.get("id"))] = entry
        return jobs

    def cancel(self, project: str, job_id: str, signal: str = "TERM") -> str | None:
        """Cancel a job: a pending one is removed, a running one gets ``signal`` (TERM: Scrapy
        closes the spider cleanly and saves its JOBDIR)."""
        body = self._call(
            "POST", "cancel.json", [("project", project), ("job", job_id), ("signal", signal)]
        )
        prev = body.get("prevstate")
        return str(prev) if prev is not None else None

    def listversions(self, project: str) -> list[str]:
        """The project's uploaded versions, oldest first (the last one runs by default)."""
        body = self._call("GET", "listversions.json", [("project", project)])
        return [str(v) for v in body.get("versions", [])]

    def delversion(self, project: str, version: str) -> None:
        """Delete one uploaded version of the project (its egg) from the node."""
        self._call("POST", "delversion.json", [("project", project), ("version", version)])

    def addversion(self, project: str, version: str, egg: bytes) -> int:
        body = self._call(
            "POST",
            "addversion.json",
            [("project", project), ("version", version)],
            files={"egg": ("project.egg", egg, "application/octet-stream")},
            timeout=UPLOAD_TIMEOUT_SECONDS,
        )
        return int(body.get("spiders", 0))


def _form(params: list[tuple[str, str]] | None) -> dict[str, list[str]]:
    """Form fields; a name given more than once (``setting``) is sent once per value."""
    form: dict[str, list[str]] = {}
    for key, value in params or []:
        form.setdefault(key, []).append(value)
    return form


SNIPPET = 120


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _message(body: Any) -> str:
    """Scrapyd's ``message`` of an error answer (or the answer itself, shortened)."""
    if isinstance(body, dict) and body.get("message"):
        return _short(str(body["message"]))
    return _short(str(body))


def _text(resp: httpx.Response) -> str:
    """An HTML page's title, or the start of a text answer, on one line."""
    text = resp.text
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    text = title.group(1) if title else re.sub(r"<[^>]+>", " ", text)
    return _short(html.unescape(text))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"
