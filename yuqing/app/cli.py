"""The ``yuqing`` command. Each command group lives in ``app/commands/<group>.py`` and registers
itself here; errors become one line on stderr and a non-zero exit code (``--debug`` shows the
traceback)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from yuqing import __version__
from yuqing.app import logs
from yuqing.app.commands import config_cmd, db_cmd, demo_cmd
from yuqing.app.state import AppState
from yuqing.errors import YuqingError

log = logging.getLogger("yuqing")

app = typer.Typer(
    name="yuqing",
    help="yuqing (舆情): public-opinion monitoring — collect, tag, store, alert, digest.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"yuqing {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="User config directory (overrides config/ defaults).",
            envvar="YUQING_CONFIG_DIR",
            show_envvar=True,
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (database, models, outbox).")
    ] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
    log_level: Annotated[
        str | None, typer.Option(help="DEBUG, INFO, WARNING or ERROR (env YUQING_LOG_LEVEL).")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and debug logs.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    overrides = {"data_dir": data_dir, "database_url": database_url, "log_level": log_level}
    if debug:
        overrides["log_level"] = "DEBUG"
    level = overrides["log_level"] or os.environ.get("YUQING_LOG_LEVEL", "INFO")
    logs.configure(str(level) if str(level).upper() in logging.getLevelNamesMapping() else "INFO")
    state = AppState(
        config_dir=config, overrides={k: v for k, v in overrides.items() if v}, debug=debug
    )
    ctx.obj = state
    ctx.call_on_close(state.close)


for module in (config_cmd, db_cmd, demo_cmd):
    module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning yuqing's errors into one-line messages."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        rv = app(args=args, prog_name="yuqing", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors, bad parameters
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except YuqingError as exc:
        if debug:
            log.exception("failed")
        typer.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except Exception as exc:  # a bug: say so, and show the traceback only with --debug
        if debug:
            raise
        typer.echo(
            f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)", err=True
        )
        return 70
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
