"""``yuqing web`` (serve the web inbox) and ``yuqing users add|list|passwd|unlock``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from yuqing.app.state import AppState
from yuqing.store.types import utcnow

users_app = typer.Typer(help="Manage web users (admin, officer, analyst).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("web")(web)
    app.add_typer(users_app, name="users")


def web(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    behind_proxy: Annotated[
        bool,
        typer.Option(
            "--behind-proxy",
            help="A reverse proxy terminates TLS: trust its X-Forwarded-Proto and "
            "X-Forwarded-For (from --forwarded-allow-ips only); cookies become Secure.",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxy addresses trusted with --behind-proxy (comma-separated).")
    ] = "127.0.0.1",
) -> None:
    """Serve the web inbox, dashboard and admin pages with uvicorn."""
    import uvicorn

    from yuqing.app.web import create_app

    state: AppState = ctx.obj
    app = create_app(state.config(), state.database(), behind_proxy=behind_proxy)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=behind_proxy,
        forwarded_allow_ips=forwarded_allow_ips if behind_proxy else None,
        server_header=False,
        log_config=None,
    )


def _read_password(password_stdin: bool, prompt: str = "Password") -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, officer or analyst.")] = "officer",
    department: Annotated[
        str | None, typer.Option(help="Department code (departments.yaml); officers need one.")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the pages.")] = "",
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a user (the password is prompted for, or read with --password-stdin)."""
    from yuqing.app.web.users import create_user

    state: AppState = ctx.obj
    config = state.config()
    db = state.database()
    password = _read_password(password_stdin)
    with db.session() as s:
        user = create_user(
            s,
            config,
            username=name,
            password=password,
            role=role,
            department=department,
            display_name=display_name,
            actor="cli",
        )
        typer.echo(
            f"created {user.role} {user.username}"
            + (f" ({user.department_code})" if user.department_code else "")
        )


@users_app.command("list")
def list_(ctx: typer.Context) -> None:
    """List users: name, role, department, active, last login."""
    from yuqing.app.web.users import list_users

    state: AppState = ctx.obj
    db = state.database()
    with db.session() as s:
        users = list_users(s)
        if not users:
            typer.echo("no users (create one with `yuqing users add NAME --role admin`)")
            return
        typer.echo(f"{'name':<20} {'role':<8} {'department':<12} {'active':<6} last login")
        for u in users:
            last = u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else "-"
            typer.echo(
                f"{u.username:<20} {u.role:<8} {u.department_code or '-':<12} "
                f"{'yes' if u.active else 'no':<6} {last}"
            )


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a user's password (ends their sessions)."""
    from yuqing.app.web.users import get_user, set_password

    state: AppState = ctx.obj
    db = state.database()
    password = _read_password(password_stdin, "New password")
    with db.session() as s:
        set_password(s, get_user(s, name), password, actor="cli")
    typer.echo(f"password changed for {name}")


@users_app.command("unlock")
def unlock(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
) -> None:
    """Forget a user's failed logins (from every address): the login back-off ends."""
    from yuqing.app.web.audit import audit
    from yuqing.app.web.throttle import Throttle

    state: AppState = ctx.obj
    config = state.config()
    db = state.database()
    with db.session() as s:
        cleared = Throttle(config.settings.web, utcnow).unlock(s, name)
        audit(s, "cli", "login.unlock", "user", name, {"cleared": cleared})
    typer.echo(f"unlocked {name} ({cleared} address{'es' if cleared != 1 else ''} cleared)")
