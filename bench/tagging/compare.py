"""Model selection on the corpus dev split: feature sets × classifiers × blanket strategy.

    .venv/bin/python -m bench.tagging.compare [--corpus PATH] [--quick] [--real PATH]

Prints one line per configuration (dev F1 of each tag, sector macro-F1, training seconds), and
with ``--real`` (e.g. ../shared/data/realdev/realdev.csv, issue 11) a second line with the same
figures on that labeled set of real messages (shutdown also with precision / recall).
The winner is what yuqing.nlp.build uses by default; the table is in yuqing/nlp/README.md.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from yuqing.config import load
from yuqing.nlp.build import make_tagger, score
from yuqing.nlp.corpus import load_corpus, read_labeled
from yuqing.nlp.features import FeatureConfig, Vocabulary
from yuqing.nlp.model import (
    ModelOptions,
    TaggerModel,
    cue_masks,
    label_arrays,
    train_models,
)

BASE = FeatureConfig()
FEATURE_SETS: dict[str, FeatureConfig] = {
    "chars 2-3": replace(BASE, words=False, word_bigrams=False, title_words=False, cues=False),
    "words 1-2": replace(BASE, char_ngrams=(), cues=False),
    "words+chars": replace(BASE, cues=False),
    "w+c+cues": replace(BASE, tag_cues=False, licensed_cue_boost=1.0),
    "w+c+cues, per tag": replace(BASE, tag_cues=True, licensed_cue_boost=1.0),
    "w+c+cues, lic x2": replace(BASE, tag_cues=False, licensed_cue_boost=2.0),
    "w+c+cues, lic x4": replace(BASE, tag_cues=False, licensed_cue_boost=4.0),
    "w+c+cues, per tag, lic x2": replace(BASE, tag_cues=True, licensed_cue_boost=2.0),
    "w+c+cues, per tag, lic x4": replace(BASE, tag_cues=True, licensed_cue_boost=4.0),
    "w+c+cues apart x0.25": replace(BASE, cue_weight=0.25, tag_cues=False),
    "(default)": BASE,
    "(default) with HMM": replace(BASE, hmm=True),
    "(default) chars 1-3": replace(BASE, char_ngrams=(1, 2, 3)),
    "(default) chars only": replace(BASE, words=False, word_bigrams=False, title_words=False),
    "(default) no title words": replace(BASE, title_words=False),
    "(default) no context (issue 11)": replace(BASE, context=False),
    "(default) whole texts, no parts": replace(BASE, part_chars=0),
}
OPTIONS: dict[str, ModelOptions] = {
    "LR C=10": ModelOptions(classifier="lr", c=10.0),
    "LR C=100": ModelOptions(classifier="lr", c=100.0),
    "SVM+sigmoid C=0.3": ModelOptions(classifier="svm", c=0.3),
    "SVM+sigmoid C=1": ModelOptions(classifier="svm", c=1.0),
    "SVM+sigmoid C=3": ModelOptions(classifier="svm", c=3.0),
    "SVM C=1, blanket|shutdown": ModelOptions(classifier="svm", c=1.0, blanket_given_shutdown=True),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--quick", action="store_true", help="only the default features")
    ap.add_argument("--real", type=Path, default=None, help="also score this labeled CSV")
    args = ap.parse_args()
    cfg = load(overrides={"data_dir": "/tmp/yuqing-compare"}, env={})
    corpus = load_corpus(args.corpus, set(cfg.gazetteer.district_names()))
    train, dev = corpus.split("train"), corpus.split("dev")
    real = read_labeled(args.real, set(cfg.gazetteer.district_names())) if args.real else []
    print(f"corpus {corpus.path} ({corpus.sha256[:12]}): train {len(train)}, dev {len(dev)}")
    cols = ["shutdown_f1", "blanket_f1", "complaint_f1", "licensed_f1", "sector_macro_f1"]
    print(f"{'features':28} {'model':26} " + " ".join(f"{c[:10]:>10}" for c in cols) + "   secs")
    sets = {"(default)": BASE} if args.quick else FEATURE_SETS
    for fname, fcfg in sets.items():
        t0 = time.perf_counter()
        from yuqing.nlp.build import make_featurizer

        feat = make_featurizer(cfg, fcfg)
        docs = [feat.analyze(e.title, e.text).features for e in train]
        vocab = Vocabulary.fit(docs, fcfg.min_df, fcfg.cue_weight)
        x = vocab.transform(docs)
        t_feat = time.perf_counter() - t0
        opts = OPTIONS if fname == "(default)" else {"default": ModelOptions()}
        for oname, opt in opts.items():
            t1 = time.perf_counter()
            est = train_models(
                x, label_arrays([e.labels for e in train]), opt, cue_masks(vocab, fcfg)
            )
            secs = t_feat + time.perf_counter() - t1
            tagger = make_tagger(cfg, TaggerModel(fcfg, opt, vocab, est), "compare")
            head = score(tagger, dev).headline()
            print(
                f"{fname:28} {oname:26} "
                + " ".join(f"{head.get(c, 0):10.3f}" for c in cols)
                + f" {secs:6.1f}"
            )
            if real:
                ev = score(tagger, real)
                head, sd = ev.headline(), ev.flags["shutdown"]
                print(
                    f"{'  on ' + args.real.name:55} "
                    + " ".join(f"{head.get(c, 0):10.3f}" for c in cols)
                    + f"   shutdown P {sd.precision:.2f} / R {sd.recall:.2f}"
                )


if __name__ == "__main__":
    main()
