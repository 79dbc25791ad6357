"""Fixtures for the tagger: a configuration with a session-wide data dir holding the tagger built
once per test session (tests/conftest.py's ``tagger_build``, shared with the crawl and
scheduler tests; every test shares the result)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TaggerBuild, copy_models
from yuqing.config import Config, load
from yuqing.nlp.build import Trained
from yuqing.nlp.corpus import Corpus, load_corpus
from yuqing.nlp.loader import clear_cache, load_tagger
from yuqing.nlp.tagger import Tagger


def make_config(data_dir: Path, **nlp: object) -> Config:
    """Defaults with ``data_dir`` and the given ``nlp.*`` settings (no environment)."""
    overrides: dict[str, object] = {"data_dir": str(data_dir)}
    overrides.update({f"nlp.{k}": str(v) if isinstance(v, Path) else v for k, v in nlp.items()})
    return load(overrides=overrides, env={})


@pytest.fixture(scope="session")
def nlp_config(tmp_path_factory: pytest.TempPathFactory, tagger_build: TaggerBuild) -> Config:
    """The default configuration with a data dir shared by the whole session, holding a copy
    of the session's tagger model."""
    return make_config(copy_models(tagger_build, tmp_path_factory.mktemp("nlp") / "var"))


@pytest.fixture(scope="session")
def trained(tagger_build: TaggerBuild) -> Trained:
    """The tagger model, built once per session from the shipped corpus (in nlp_config's
    data dir as a copy)."""
    result: Trained = tagger_build.trained
    return result


@pytest.fixture(scope="session")
def tagger(nlp_config: Config, trained: Trained) -> Iterator[Tagger]:
    """The tagger as every component gets it: through load_tagger (from the saved files)."""
    clear_cache()
    yield load_tagger(nlp_config, build_if_missing=False)
    clear_cache()


@pytest.fixture(scope="session")
def corpus(nlp_config: Config) -> Corpus:
    return load_corpus(None, set(nlp_config.gazetteer.district_names()))


@pytest.fixture(scope="session")
def small_corpus(corpus: Corpus) -> Corpus:
    """About 300 posts of the corpus (both splits), for tests that train their own models."""
    rng = random.Random(7)
    examples = sorted(
        rng.sample(corpus.examples, min(300, len(corpus.examples))), key=lambda e: e.id
    )
    return Corpus(corpus.path, corpus.sha256, examples)
