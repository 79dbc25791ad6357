"""Open the configured database: ``Database(config.settings)`` bundles engine and sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from yuqing.config.settings import Settings
from yuqing.store.db import ensure_current, make_engine, redact, session_factory, session_scope


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self.sessions: sessionmaker[Session] = session_factory(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        return cls(settings.effective_database_url)

    @property
    def display_url(self) -> str:
        return redact(str(self.engine.url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check_schema(self) -> None:
        ensure_current(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.sessions) as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()
