"""Shared fixtures: databases on every configured backend, a loaded config, a fake clock, the
tagger's model built once per session (:func:`tagger_build`; copy it into a data dir with
:func:`copy_models` or take :func:`models_data_dir`).

PostgreSQL tests run when ``YUQING_TEST_POSTGRES_URL`` points at a server where the user may
create databases (``.ci/run`` starts one on 127.0.0.1). Under CI the variable is required.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from yuqing.config import Config, load
from yuqing.store.db import normalize_url, upgrade
from yuqing.store.session import Database

PG_URL = os.environ.get("YUQING_TEST_POSTGRES_URL")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not PG_URL:
        raise pytest.UsageError(
            "CI runs the store tests on PostgreSQL: set YUQING_TEST_POSTGRES_URL"
        )


BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (dropped afterwards)."""
    if not PG_URL:
        pytest.skip("YUQING_TEST_POSTGRES_URL is not set")
    base = make_url(normalize_url(PG_URL))
    name = f"yuqing_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("fresh_pg_url"))


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database on every backend."""
    db = Database(db_url)
    upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database, for tests that are not about the backend."""
    db = Database(f"sqlite:///{tmp_path / 'test.db'}")
    upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The shipped default configuration with the data dir in a temporary directory."""
    return load(overrides={"data_dir": str(tmp_path / "var")}, env={})


class FakeClock:
    """A controllable clock: ``clock()`` is now; ``advance(minutes=5)`` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> datetime:
        self.current += timedelta(**kwargs)
        return self.current


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip the test when it is absent."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not present")
    return path


@pytest.fixture
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory for in-process CLI runs: no YUQING_* locations from the environment,
    ``var/yuqing.db`` migrated. Returns the directory."""
    import logging

    from yuqing.store.db import upgrade
    from yuqing.store.session import Database

    monkeypatch.chdir(tmp_path)
    for var in ("YUQING_CONFIG_DIR", "YUQING_DATABASE_URL", "YUQING_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    logging.getLogger().setLevel(logging.WARNING)
    db = Database(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    upgrade(db.engine)
    db.dispose()
    return tmp_path


@dataclass
class TaggerBuild:
    """The tagger's model of the shipped corpus and default config, built once per session."""

    models: Path  # <data dir>/models: tagger.skops and its metadata
    trained: Any  # yuqing.nlp.build.Trained (the build's dev scores, its tagger)


@pytest.fixture(scope="session")
def tagger_build(tmp_path_factory: pytest.TempPathFactory) -> TaggerBuild:
    """Build the tagger's model ONCE per test session (tens of seconds on a busy machine) into a
    session temp dir. Tests that need a data dir with models copy it there (:func:`copy_models`)
    instead of letting a crawl or ``load_tagger`` build its own (issue 15)."""
    from yuqing.nlp.build import build_tagger

    data_dir = tmp_path_factory.mktemp("tagger") / "var"
    trained, _meta = build_tagger(load(overrides={"data_dir": str(data_dir)}, env={}))
    return TaggerBuild(data_dir / "models", trained)


def copy_models(build: TaggerBuild, data_dir: Path) -> Path:
    """Put a copy of the session's models into ``data_dir/models`` (a copy: tests that train
    custom models or replace files do not touch the session's); returns ``data_dir``."""
    shutil.copytree(build.models, data_dir / "models", dirs_exist_ok=True)
    return data_dir


@pytest.fixture
def models_data_dir(tmp_path: Path, tagger_build: TaggerBuild) -> Path:
    """``tmp_path/var`` holding the session's tagger models (for crawls with the tagger on,
    ``yuqing run``, Scrapyd nodes)."""
    return copy_models(tagger_build, tmp_path / "var")
