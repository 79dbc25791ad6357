"""What the site serves at a given moment: the posts with their timestamps, and live mode.

Post times are fixed when the site is created (``anchor - age``), so a post keeps the same
timestamp across crawls; relative strings (3分钟前) are rendered against the clock per request.
In live mode the posts flagged ``held`` are hidden until released (by the timer or
``POST /_control/release``), and a released post is stamped with the clock's time of release.
"""

from __future__ import annotations

import threading
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yuqing.crawler.demo_site.clock import Clock, iso, local
from yuqing.crawler.demo_site.content import CHANNELS, Post


@dataclass
class SitePost:
    post: Post
    published: datetime

    @property
    def id(self) -> int:
        return self.post["id"]

    @property
    def channel(self) -> str:
        return self.post["channel"]

    @property
    def epoch(self) -> int:
        return int(self.published.timestamp())

    def seed(self, salt: str = "") -> int:
        """A stable per-post number for deterministic decoration (user ids, sources...)."""
        return zlib.crc32(f"{self.id}:{salt}".encode())

    def public(self) -> dict[str, Any]:
        """The post as the control endpoint returns it (including its labels)."""
        return {**self.post, "published": iso(self.published), "epoch": self.epoch}


@dataclass
class SiteOptions:
    live: bool = False
    release_interval: float = 30.0
    huge_bytes: int = 50 * 1024 * 1024


class RequestLog:
    """Every request the site answered, in order (``"GET /forum/?pn=2"``), and a gate that
    holds requests back: after ``hold_after(n)``, the next ``n`` requests are answered and
    the ones after them wait (counted in ``waiting``) until ``release()``. Tests use it to
    stop a crawl at a known point and to see which pages each crawl fetched. A long-running
    site logs the first ``MAX_LOGGED`` requests and counts the rest."""

    MAX_LOGGED = 200_000

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.answered: list[str] = []
        self.count = 0
        self.waiting = 0
        self._limit: int | None = None

    def admit(self, target: str) -> None:
        """Called before answering ``target``: waits while the gate is closed, then logs it."""
        with self._cond:
            self.waiting += 1
            self._cond.notify_all()
            self._cond.wait_for(lambda: self._limit is None or self.count < self._limit)
            self.waiting -= 1
            self.count += 1
            if len(self.answered) < self.MAX_LOGGED:
                self.answered.append(target)
            self._cond.notify_all()

    def hold_after(self, n: int) -> None:
        with self._cond:
            self._limit = self.count + n

    def release(self) -> None:
        with self._cond:
            self._limit = None
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[RequestLog], bool], timeout: float) -> bool:
        """Block until ``predicate(self)`` holds (True) or ``timeout`` seconds pass (False)."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def since(self, mark: int) -> list[str]:
        with self._cond:
            return self.answered[mark:]


class SiteState:
    """Thread-safe store of the visible posts, per channel, newest first."""

    def __init__(self, posts: list[Post], clock: Clock, options: SiteOptions) -> None:
        self._clock = clock
        self.options = options
        self.anchor = self.now()
        self._lock = threading.Lock()
        self._posts: dict[str, list[SitePost]] = {c: [] for c in CHANNELS}
        self._index: dict[tuple[str, int], SitePost] = {}
        self.held: deque[Post] = deque()
        self.released: list[int] = []
        self.next_release_at: datetime | None = None
        self.requests = RequestLog()
        for post in posts:
            if options.live and "held" in post["flags"]:
                self.held.append(post)
            else:
                self._add(SitePost(post, self.anchor - timedelta(minutes=post["age"])))
        for channel in CHANNELS:
            self._sort(channel)

    def now(self) -> datetime:
        return local(self._clock())

    def _add(self, item: SitePost) -> None:
        self._posts[item.channel].append(item)
        self._index[(item.channel, item.id)] = item

    def _sort(self, channel: str) -> None:
        self._posts[channel].sort(key=lambda p: (p.published, p.id), reverse=True)

    def listing(self, channel: str) -> list[SitePost]:
        """The channel's visible posts, newest first (a snapshot)."""
        with self._lock:
            return list(self._posts[channel])

    def get(self, channel: str, post_id: int) -> SitePost | None:
        with self._lock:
            return self._index.get((channel, post_id))

    def count(self) -> dict[str, int]:
        with self._lock:
            return {c: len(items) for c, items in self._posts.items()}

    def release_next(self) -> SitePost | None:
        """Publish the next held post now; None when nothing is held."""
        with self._lock:
            if not self.held:
                return None
            post = self.held.popleft()
            post["age"] = 0
            item = SitePost(post, self.now())
            self._add(item)
            self._sort(item.channel)
            self.released.append(item.id)
            return item

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            held = [p["id"] for p in self.held]
            released = list(self.released)
            counts = {c: len(items) for c, items in self._posts.items()}
        return {
            "live": self.options.live,
            "now": iso(self.now()),
            "anchor": iso(self.anchor),
            "release_interval": self.options.release_interval,
            "next_release_at": iso(self.next_release_at) if self.next_release_at else None,
            "held": len(held),
            "held_ids": held,
            "released": released,
            "visible": counts,
            "total_visible": sum(counts.values()),
        }
