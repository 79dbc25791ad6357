"""The parts every model of the package is made of, in one place below build, custom and
tagger (so that none of them imports another to get them): the default features, the
featurizer of a configuration and the models directory."""

from __future__ import annotations

from pathlib import Path

from yuqing.config import Config
from yuqing.nlp.cues import default_matcher
from yuqing.nlp.features import FeatureConfig, Featurizer
from yuqing.nlp.segment import get_segmenter

# The choices measured best on the dev split and realdev (yuqing/nlp/README.md).
DEFAULT_FEATURES = FeatureConfig()


def models_dir(config: Config) -> Path:
    return config.settings.data_dir / "models"


def gazetteer_words(config: Config) -> list[str]:
    g = config.gazetteer
    return [g.city, *g.city_aliases, *(n for d in g.districts for n in d.names())]


def make_featurizer(config: Config, features: FeatureConfig = DEFAULT_FEATURES) -> Featurizer:
    seg = get_segmenter(gazetteer_words(config), config.settings.nlp.user_dict, features.hmm)
    return Featurizer(features, seg, default_matcher())
