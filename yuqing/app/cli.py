"""The ``yuqing`` command. Each command group lives in ``app/commands/<group>.py`` and registers
itself here; errors become one line on stderr and a non-zero exit code (``--debug`` shows the
traceback)."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from yuqing import __version__, lifeline
from yuqing.app import logs
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


# Top-level command -> the module under yuqing.app.commands that registers it. Only the module a
# command needs is imported (the others pull in Scrapy, scikit-learn, FastAPI ...); `--help`
# imports them all. tests/app/test_cli.py checks this table against what modules register.
COMMAND_MODULES: dict[str, str] = {
    "config": "config_cmd",
    "db": "db_cmd",
    "demo": "demo_cmd",
    "crawl": "crawl_cmd",
    "sources": "crawl_cmd",
    "demo-site": "crawl_cmd",
    "run": "run_cmd",
    "deliver": "run_cmd",
    "receiver": "receiver_cmd",
    "routes": "alerts_cmd",
    "evaluate": "alerts_cmd",
    "escalate": "alerts_cmd",
    "incidents": "incidents_cmd",
    "silences": "alerts_cmd",
    "triage": "triage_cmd",
    "web": "web_cmd",
    "users": "web_cmd",
    "tag": "nlp_cmd",
    "nlp": "nlp_cmd",
    "retag": "nlp_cmd",
    "digest": "analyst_cmd",
    "sql": "analyst_cmd",
    "export": "analyst_cmd",
    "search": "analyst_cmd",
    "datasette": "analyst_cmd",
    "nodes": "fleet_cmd",
    "deploy": "fleet_cmd",
}
_VALUED_OPTIONS = {"--config", "-c", "--data-dir", "--database-url", "--log-level"}
_registered: set[str] = set()


def register(modules: list[str]) -> None:
    for name in modules:
        if name not in _registered:
            importlib.import_module(f"yuqing.app.commands.{name}").register(app)
            _registered.add(name)


def command_of(args: list[str]) -> str | None:
    """The top-level command in ``args`` (skipping global options and their values)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def modules_for(args: list[str]) -> list[str]:
    command = command_of(args)
    if command in COMMAND_MODULES and not {"--help", "-h"} & set(args[: args.index(command)]):
        return [COMMAND_MODULES[command]]
    return sorted(set(COMMAND_MODULES.values()), key=list(COMMAND_MODULES.values()).index)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning yuqing's errors into one-line messages."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    lifeline.die_with_parent()  # a crawl started by `yuqing run` ends with it
    register(modules_for(args))
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
