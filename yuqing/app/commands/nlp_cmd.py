"""``yuqing tag``, ``yuqing retag`` and ``yuqing nlp train|eval|train-custom``."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from yuqing.app.state import AppState
from yuqing.store.types import utcnow

nlp_app = typer.Typer(help="Build, evaluate and extend the tagger.", no_args_is_help=True)

InPath = Annotated[
    Path, typer.Option("--in", help="Input CSV (UTF-8, with a header).", show_default=False)
]


def register(app: typer.Typer) -> None:
    app.command("tag")(tag_cmd)
    app.command("retag")(retag_cmd)
    app.add_typer(nlp_app, name="nlp")


def tag_cmd(
    ctx: typer.Context,
    in_path: InPath,
    out: Annotated[str, typer.Option("--out", help="Output CSV ('-' for stdout).")],
    custom: Annotated[
        list[str] | None,
        typer.Option("--custom", help="Add column custom.NAME (repeatable).", show_default=False),
    ] = None,
) -> None:
    """Tag posts from a CSV (id,title,text) into a CSV of tags with evidence."""
    from yuqing.nlp.batch import open_output, tag_csv
    from yuqing.nlp.loader import load_tagger

    state: AppState = ctx.obj
    cfg = state.config()
    names = list(custom or [])
    tagger = load_tagger(cfg).with_custom(names)
    with open_output(out) as fh:
        n = tag_csv(tagger, in_path, fh, names, n_jobs=cfg.settings.nlp.jobs)
    typer.echo(f"tagged {n} posts with model {tagger.model_version} -> {out}", err=True)


def _since(value: str | None, tz: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r}: expected a date like 2026-11-01", param_hint="--since"
        ) from exc
    if isinstance(parsed, date) and parsed.time() == time() and len(value) <= 10:
        parsed = datetime.combine(parsed.date(), time())
    from yuqing.app.commands.analyst_cmd import in_range

    return in_range(
        parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(tz)), "--since", value
    )


def retag_cmd(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(help="Only posts published on or after this date (YYYY-MM-DD, local time)."),
    ] = None,
) -> None:
    """Re-tag stored posts with the current models (uses nlp.jobs worker processes)."""
    from yuqing.nlp.batch import count_posts, retag
    from yuqing.nlp.loader import load_tagger

    state: AppState = ctx.obj
    cfg = state.config()
    start = _since(since, cfg.settings.timezone)
    db = state.database()
    tagger = load_tagger(cfg)
    total = count_posts(db, start)
    with typer.progressbar(length=total, label="retagging", file=sys.stderr) as bar:
        n = retag(db, tagger, start, n_jobs=cfg.settings.nlp.jobs, progress=bar.update)
    typer.echo(f"re-tagged {n} posts with model {tagger.model_version}")


@nlp_app.command("train")
def train_cmd(
    ctx: typer.Context,
    with_feedback: Annotated[
        bool, typer.Option("--with-feedback", help="Fold in tag corrections from the database.")
    ] = False,
) -> None:
    """Build the tag models from the corpus (deterministic) into <data_dir>/models."""
    from yuqing.nlp import feedback
    from yuqing.nlp.build import build_tagger, tagger_path
    from yuqing.nlp.loader import clear_cache

    state: AppState = ctx.obj
    cfg = state.config()
    fb = None
    if with_feedback:
        fb = feedback.collect(state.database())
        typer.echo(
            f"feedback: {len(fb.examples)} corrected posts from {len(fb.feedback_ids)} corrections"
        )
        for reason, count in sorted(fb.skipped.items()):
            typer.echo(f"  skipped {count}: {reason}")
    trained, meta = build_tagger(cfg, fb.examples if fb else ())
    if fb is not None:
        feedback.mark_used(state.database(), fb.feedback_ids, utcnow())
    clear_cache()
    corpus = meta["corpus"]
    typer.echo(f"model {meta['model_version']} -> {tagger_path(cfg)} ({trained.seconds:.1f}s)")
    typer.echo(
        f"corpus {corpus['sha256'][:12]}: {trained.n_train} training posts "
        f"({trained.n_extra} from feedback), {corpus['dev']} dev posts"
    )
    typer.echo("dev split: " + json.dumps(meta["dev_metrics"]))


@nlp_app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    in_path: InPath,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Report file: .html for HTML, else Markdown. "
            "Default: <data_dir>/reports/nlp-eval-<input name>.md"
        ),
    ] = None,
    errors: Annotated[
        int, typer.Option("--errors", help="Worst false positives/negatives listed per tag.")
    ] = 10,
) -> None:
    """Tag a labeled CSV and score it: P/R/F1 per tag, sector confusion matrix, the worst
    errors with their scores and evidence, report file."""
    from yuqing.nlp.batch import evaluate_file
    from yuqing.nlp.loader import load_tagger
    from yuqing.nlp.report import text_summary, write_report

    state: AppState = ctx.obj
    cfg = state.config()
    tagger = load_tagger(cfg)
    districts = set(cfg.gazetteer.district_names())
    ev = evaluate_file(tagger, in_path, districts, cfg.settings.nlp.jobs, worst=errors)
    typer.echo(f"{in_path}: {ev.n} posts, model {tagger.model_version}\n")
    typer.echo(text_summary(ev))
    path = report or cfg.settings.data_dir / "reports" / f"nlp-eval-{in_path.stem}.md"
    facts = {
        "input": str(in_path),
        "posts": str(ev.n),
        "model": tagger.model_version,
        "date": utcnow().isoformat(timespec="seconds"),
    }
    write_report(path, ev, f"Tagger evaluation: {in_path.name}", facts)
    typer.echo(f"report: {path}")


@nlp_app.command("train-custom")
def train_custom_cmd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name; predictions become tag custom.NAME.")],
    in_path: InPath,
    label_column: Annotated[str, typer.Option(help="Column with the labels.")],
    text_columns: Annotated[
        str, typer.Option(help="Comma-separated text columns: first = title, rest = text.")
    ] = "title,text",
    force: Annotated[
        bool,
        typer.Option("--force", help="Register even a classifier that loses to the baseline."),
    ] = False,
) -> None:
    """Train and register a classifier for an office's own taxonomy.

    The features are chosen by cross-validation on your data among a few candidates
    (characters, words, both, the title apart, with and without the domain cues); the table
    and the baseline (character 1-3-grams + linear SVM) are printed. A classifier that does
    not reach the baseline is refused unless --force."""
    from yuqing.nlp.custom_train import train_custom
    from yuqing.nlp.errors import BelowBaselineError
    from yuqing.nlp.loader import clear_cache

    state: AppState = ctx.obj
    cols = [c.strip() for c in text_columns.split(",") if c.strip()]
    try:
        res = train_custom(state.config(), name, in_path, label_column, cols, force=force)
    except BelowBaselineError as exc:
        _echo_cv(exc.cv)
        raise
    clear_cache()
    cv = res.cv
    typer.echo(
        f"{res.rows} rows, {len(res.labels)} labels: " + json.dumps(res.labels, ensure_ascii=False)
    )
    _echo_cv(cv)
    typer.echo(
        f"registered {res.path} ({res.seconds:.1f}s): route on label custom.{name}, "
        f"or `yuqing tag --custom {name}`"
    )


def _echo_cv(cv: dict[str, Any]) -> None:
    """The rows left out, then every candidate's cross-validated macro-F1 and the baseline's."""
    if cv.get("unlabeled_rows"):
        typer.echo(f"skipped {cv['unlabeled_rows']} rows with an empty label")
    if cv.get("dropped_labels"):
        rare = cv["dropped_labels"]
        typer.echo(
            f"skipped {sum(rare.values())} rows of labels with fewer than 2 rows: "
            + json.dumps(rare, ensure_ascii=False)
        )
    typer.echo(f"{cv['folds']}-fold cross-validated macro-F1 per feature set:")
    for row in cv["candidates"]:
        mark = "*" if row["name"] == cv["chosen"] else " "
        typer.echo(
            f" {mark} {row['macro_f1']:.3f} ± {row['macro_f1_std']:.3f}  {row['name']} "
            f"({', '.join(row['blocks'])})"
        )
    typer.echo(
        f"   {cv['baseline_macro_f1']:.3f} ± {cv['baseline_macro_f1_std']:.3f}  baseline: "
        f"{cv['baseline']}"
    )
    typer.echo(
        f"chosen: {cv['chosen']}; expected macro-F1 with the choice made inside each fold "
        f"(nested): {cv['nested_macro_f1']:.3f} ± {cv['nested_macro_f1_std']:.3f}"
    )
