"""``yuqing receiver serve``: a local webhook receiver that logs JSON (demo and tests)."""

from __future__ import annotations

import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from yuqing.alerts.receivers import WebhookReceiver
from yuqing.app.state import AppState
from yuqing.config.settings import read_secret

receiver_app = typer.Typer(help="Local receivers for notifications.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(receiver_app, name="receiver")


@receiver_app.command("serve")
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(min=0, max=65535, help="0: a free port.")] = 0,
    fail_first: Annotated[
        int, typer.Option(min=0, help="Answer HTTP 500 to the first N requests.")
    ] = 0,
    log: Annotated[
        Path | None, typer.Option(help="JSONL log (default <data_dir>/receiver/webhook.jsonl).")
    ] = None,
    secret_env: Annotated[
        str | None, typer.Option(help="Check X-Yuqing-Signature with this variable's secret.")
    ] = None,
) -> None:
    """Serve on 127.0.0.1 until Ctrl-C / SIGTERM, logging each POSTed JSON body."""
    state: AppState = ctx.obj
    path = log or state.config().settings.data_dir / "receiver" / "webhook.jsonl"
    secret = read_secret(secret_env) if secret_env else None
    if secret_env and secret is None:
        raise typer.BadParameter(f"environment variable {secret_env} is not set")
    receiver = WebhookReceiver(path, port=port, fail_first=fail_first, secret=secret).bind()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        receiver.shutdown()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    typer.echo(f"receiver listening on {receiver.url} (log: {path})", err=False)
    receiver.serve_forever()
    typer.echo(f"receiver stopped after {receiver.requests} request(s)")
