"""Tag corrections in the feedback table become training examples (`nlp train --with-feedback`)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from yuqing.config import Config
from yuqing.nlp import feedback
from yuqing.nlp.build import train
from yuqing.nlp.corpus import Corpus
from yuqing.store.models import Feedback
from yuqing.store.posts import PostRecord, TagRecord, upsert_posts, upsert_tags
from yuqing.store.session import Database

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _post(i: int, text: str) -> PostRecord:
    return PostRecord(
        source="board",
        url=f"https://example.org/{i}",
        title=f"帖子{i}",
        text=text,
        published_at=T0,
        content_hash=hashlib.sha1(text.encode()).hexdigest(),
    )


def _tags(**kw: object) -> TagRecord:
    base: dict[str, object] = dict(
        model_version="m-old",
        shutdown=True,
        shutdown_score=0.9,
        blanket=True,
        complaint=False,
        complaint_score=0.1,
        sector="other",
        sector_score=0.5,
        district=None,
        licensed=False,
    )
    base.update(kw)
    return TagRecord(**base)  # type: ignore[arg-type]


def _seed(db: Database) -> list[int]:
    with db.session() as s:
        ids = upsert_posts(
            s,
            [
                _post(1, "烧烤店被一刀切关停了"),
                _post(2, "学校一刀切放假"),
                _post(3, "从未打过标签的帖子"),
                _post(4, "砖厂停产"),
            ],
        ).ids
        upsert_tags(s, [(ids[0], _tags()), (ids[1], _tags()), (ids[3], _tags())])
        s.add_all(
            [
                Feedback(
                    post_id=ids[0],
                    actor="li",
                    field="sector",
                    old_value="other",
                    new_value="life_services",
                    created_at=T0,
                ),
                Feedback(
                    post_id=ids[0],
                    actor="li",
                    field="complaint",
                    old_value="0",
                    new_value="1",
                    created_at=T0,
                ),
                Feedback(
                    post_id=ids[0],
                    actor="wang",
                    field="complaint",
                    old_value="1",
                    new_value="0",
                    created_at=datetime(2026, 11, 2, tzinfo=UTC),
                ),  # latest wins
                Feedback(
                    post_id=ids[1],
                    actor="li",
                    field="false_positive",
                    old_value=None,
                    new_value="",
                    created_at=T0,
                ),
                Feedback(
                    post_id=ids[2],
                    actor="li",
                    field="shutdown",
                    old_value=None,
                    new_value="1",
                    created_at=T0,
                ),  # never tagged: not enough to learn from
                Feedback(
                    post_id=ids[3],
                    actor="li",
                    field="shutdown",
                    old_value="1",
                    new_value="0",
                    created_at=T0,
                ),  # blanket follows
                Feedback(
                    post_id=ids[3],
                    actor="li",
                    field="sector",
                    old_value="other",
                    new_value="no-such-sector",
                    created_at=T0,
                ),
                Feedback(
                    post_id=ids[3],
                    actor="li",
                    field="district",
                    old_value=None,
                    new_value="讷河市",
                    created_at=T0,
                ),
            ]
        )
    return ids


def test_corrections_become_examples(sqlite_database: Database) -> None:
    ids = _seed(sqlite_database)
    fb = feedback.collect(sqlite_database)
    by_id = {e.id: e for e in fb.examples}
    assert sorted(by_id) == sorted(f"feedback:{i}" for i in (ids[0], ids[1], ids[3]))
    first = by_id[f"feedback:{ids[0]}"].labels
    assert (first["sector"], first["complaint"], first["shutdown"]) == (
        "life_services",
        False,
        True,
    )
    second = by_id[f"feedback:{ids[1]}"].labels
    assert (second["shutdown"], second["blanket"]) == (False, False)  # false positive
    fourth = by_id[f"feedback:{ids[3]}"].labels
    assert (fourth["shutdown"], fourth["blanket"], fourth["sector"]) == (False, False, "other")
    assert by_id[f"feedback:{ids[0]}"].text == "烧烤店被一刀切关停了"
    assert fb.skipped == {
        "post never tagged and not fully corrected": 1,
        "sector: unknown value": 1,
        "district (not learned)": 1,
    }
    assert len(fb.feedback_ids) == 8


def test_training_with_feedback_changes_the_model_and_marks_it_used(
    sqlite_database: Database, nlp_config: Config, small_corpus: Corpus
) -> None:
    _seed(sqlite_database)
    fb = feedback.collect(sqlite_database)
    plain = train(nlp_config, corpus=small_corpus)
    folded = train(nlp_config, extra=fb.examples, corpus=small_corpus)
    assert folded.n_extra == 3 and folded.n_train == plain.n_train + 3
    assert folded.tagger.model_version != plain.tagger.model_version
    when = datetime(2026, 11, 3, tzinfo=UTC)
    feedback.mark_used(sqlite_database, fb.feedback_ids, when)
    feedback.mark_used(sqlite_database, fb.feedback_ids, datetime(2026, 12, 1, tzinfo=UTC))
    with sqlite_database.session() as s:
        used = {f.used_at for f in s.query(Feedback).all()}
    assert used == {when}  # first use is kept
