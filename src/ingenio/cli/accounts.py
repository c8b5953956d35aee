"""Server commands: accounts, users, enterprise owners, ``serve`` and ``worker``.

A password is never a command-line argument (it would show in ``ps`` and the
shell history): ``ingenio users add`` reads it from ``INGENIO_PASSWORD`` or
from standard input.
"""

from __future__ import annotations

import secrets
import signal
import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from ingenio.cli.guard import guarded
from ingenio.cli.lang import _

console = Console()
err = Console(stderr=True)

PASSWORD_ENV_VAR = "INGENIO_PASSWORD"
"""Where ``ingenio users add`` reads the password (else standard input)."""

accounts_app = typer.Typer(help="Tenants: the management company and the owners.")
users_app = typer.Typer(help="People and integrations who sign in to the server.")
enterprises_app = typer.Typer(help="Which owner account owns each enterprise.")

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: the global --db)."),
]


def _db(ctx: typer.Context, db: str | None) -> str | None:
    """This command's ``--db``, else the global one (None: the default database)."""
    if db:
        return db
    root = ctx.find_root().params.get("db")
    return root if isinstance(root, str) and root.strip() else None


def _actor() -> str:
    from ingenio.services.server import local_actor

    return local_actor()


@accounts_app.command("add")
def accounts_add(
    ctx: typer.Context,
    account_id: Annotated[str, typer.Argument(help="The account's id (letters, digits, . _ -).")],
    name: Annotated[str, typer.Option("--name", help="The account's name.")],
    kind: Annotated[str, typer.Option("--kind", help="management or owner.")],
    db: DbOption = None,
) -> None:
    """Create an account (a tenant)."""
    from ingenio.services.accounts import add_account
    from ingenio.services.server import open_store

    def work() -> None:
        with open_store(_db(ctx, db)) as store:
            account = add_account(store, account_id, name, kind, _actor())
        console.print(_("added %(kind)s account %(id)s (%(name)s)", kind=account.kind,
                        id=repr(account.id), name=account.name))  # fmt: skip

    guarded(ctx, work)


@accounts_app.command("list")
def accounts_list(ctx: typer.Context, db: DbOption = None) -> None:
    """List the accounts."""
    from ingenio.services.server import open_store

    def work() -> None:
        with open_store(_db(ctx, db)) as store:
            for a in store.accounts():
                console.print(f"{a.id}\t{a.kind}\t{a.name}", highlight=False)

    guarded(ctx, work)


def read_password() -> str:
    """The new user's password: ``$INGENIO_PASSWORD``, else a line of standard input."""
    from ingenio.services.server import password_setting

    env = password_setting()
    if env:
        return env
    if sys.stdin.isatty():
        entered: str = typer.prompt(_("password"), hide_input=True, confirmation_prompt=True)
        return entered
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        from ingenio.services.server import IngenioError

        raise IngenioError(
            _("no password: set %(variable)s or give it on standard input",
              variable=PASSWORD_ENV_VAR),
            kind="invalid",
        )
    return line


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's email (the sign-in name).")],
    account: Annotated[str, typer.Option("--account", help="The user's account id.")],
    role: Annotated[
        str,
        typer.Option(
            "--role", help="admin, planner, plant_manager, auditor or integrator."
        ),
    ],
    plant: Annotated[
        list[str] | None,
        typer.Option("--plant", help="A plant a plant manager is bound to (repeat)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user; the password comes from $INGENIO_PASSWORD or standard input."""
    from ingenio.services.accounts import add_user
    from ingenio.services.server import open_store

    def work() -> None:
        password = read_password()
        with open_store(_db(ctx, db)) as store:
            user = add_user(store, email, account, role, password, tuple(plant or ()), _actor())
        said = _("added %(role)s %(email)s to account %(account)s", role=user.role,
                 email=user.email, account=repr(user.account))  # fmt: skip
        if user.plants:
            said += " " + _("bound to %(plants)s", plants=", ".join(user.plants))
        console.print(said)

    guarded(ctx, work)


@enterprises_app.command("set-owner")
def enterprises_set_owner(
    ctx: typer.Context,
    enterprise: Annotated[str, typer.Argument(help="The enterprise id in the portfolio.")],
    owner: Annotated[str, typer.Argument(help="The owner account's id.")],
    portfolio: Annotated[str, typer.Option("--portfolio", help="The portfolio's name.")],
    account: Annotated[
        str, typer.Option("--account", help="The management account of the portfolio.")
    ] = "default",
    db: DbOption = None,
) -> None:
    """Name the owner account of an enterprise of a portfolio."""
    from ingenio.services.accounts import set_enterprise_owner
    from ingenio.services.server import open_store

    def work() -> None:
        with open_store(_db(ctx, db)) as store:
            set_enterprise_owner(store, account, portfolio, enterprise, owner, _actor())
        console.print(_("enterprise %(enterprise)s of %(portfolio)s is owned by %(owner)s",
                        enterprise=repr(enterprise), portfolio=repr(portfolio),
                        owner=repr(owner)))  # fmt: skip

    guarded(ctx, work)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port.")] = 8000,
    db: DbOption = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Load the demo portfolio, accounts and users; print logins."),
    ] = False,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run jobs in this process too.")
    ] = True,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark the session cookie Secure (HTTPS).")
    ] = False,
    log_level: Annotated[str, typer.Option("--log-level", help="Uvicorn log level.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Server processes (best on PostgreSQL; each runs jobs).",
        ),
    ] = 1,
) -> None:
    """Run the REST API server (migrations applied at start); OpenAPI at /docs."""
    import uvicorn

    from ingenio.api import create_app
    from ingenio.services.jobs import Worker
    from ingenio.services.server import open_store

    store = guarded(ctx, lambda: open_store(_db(ctx, db)))
    if demo:
        guarded(ctx, lambda: _load_demo(store))
    if workers > 1:
        _serve_processes(ctx, store, db, host, port, log_level, workers, worker, secure_cookies)
        return
    app = create_app(
        store,
        worker=Worker(store) if worker else None,
        secure_cookies=secure_cookies,
        close_store=True,
    )
    from ingenio.web import install

    install(app)  # the web pages beside the API
    url = f"http://{host}:{port}/docs"
    err.print(_("Ingenio API on %(url)s (database %(db)s)", url=url, db=store.url),
              highlight=False)  # fmt: skip
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def _serve_processes(
    ctx: typer.Context,
    store: Any,
    db: str | None,
    host: str,
    port: int,
    log_level: str,
    workers: int,
    jobs: bool,
    secure_cookies: bool,
) -> None:
    """``serve --workers N``: Uvicorn's process manager, each process opening the store."""
    import os

    import uvicorn

    from ingenio.api.main import ENV_DB, ENV_JOB_WORKER, ENV_SECURE_COOKIES
    from ingenio.services.server import database_url

    shown, url = store.url, f"http://{host}:{port}/docs"
    store.close()
    os.environ[ENV_DB] = database_url(_db(ctx, db))
    os.environ[ENV_JOB_WORKER] = "1" if jobs else "0"
    os.environ[ENV_SECURE_COOKIES] = "1" if secure_cookies else "0"
    err.print(
        _("Ingenio API on %(url)s (database %(db)s, %(count)s processes)",
          url=url, db=shown, count=workers),
        highlight=False,
    )
    import inspect

    extra: dict[str, Any] = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.run).parameters:
        # a process imports the CLI again before it answers: slow on a loaded machine
        extra["timeout_worker_healthcheck"] = 120
    uvicorn.run(
        "ingenio.api.main:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        **extra,
    )


def worker(
    ctx: typer.Context,
    db: DbOption = None,
    beat: Annotated[float, typer.Option("--beat", min=0.1, help="Heartbeat seconds.")] = 2.0,
    stall_after: Annotated[
        float,
        typer.Option("--stall-after", min=1.0, help="Seconds without a heartbeat = stalled."),
    ] = 30.0,
    max_attempts: Annotated[int, typer.Option("--max-attempts", min=1)] = 3,
) -> None:
    """Run queued jobs (solves) until stopped (SIGTERM or Ctrl-C finish the current job)."""
    import logging

    from ingenio.services.jobs import Worker
    from ingenio.services.server import open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    store = guarded(ctx, lambda: open_store(_db(ctx, db)))
    runner = guarded(ctx, lambda: Worker(store, beat, stall_after, max_attempts))

    def stop(*_: Any) -> None:
        runner.stop(timeout_s=0)

    signal.signal(signal.SIGTERM, stop)
    err.print(_("worker %(name)s on %(db)s", name=runner.name, db=store.url), highlight=False)
    try:
        runner.run()
    except KeyboardInterrupt:
        pass
    finally:
        store.close()


DEMO_USERS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("admin@demo.ingenio", "default", "admin", ()),
    ("planner@demo.ingenio", "default", "planner", ()),
    ("manager.cig@demo.ingenio", "default", "plant_manager", ("CIG",)),
    ("auditor@demo.ingenio", "default", "auditor", ()),
    ("integrator@demo.ingenio", "default", "integrator", ()),
    ("auditor@tabaco.demo.ingenio", "owner-tabaco", "auditor", ()),
    ("auditor@cemento.demo.ingenio", "owner-cemento", "auditor", ()),
)
"""The demo's users: email, account, role, plants."""


def _load_demo(store: Any) -> None:
    """Save the demo portfolio, plan it (dispatch, published), add accounts and users."""
    from ingenio.services.demo_server import load_demo

    logins = load_demo(store, DEMO_USERS, lambda: secrets.token_urlsafe(12))
    if not logins:
        err.print(_("demo users exist already (their passwords were printed the first time)"))
        return
    err.print(_("demo logins (email, password, role):"))
    for email, password, role in logins:
        typer.echo(f"login {email} {password} {role}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main ``ingenio`` app."""
    app.add_typer(accounts_app, name="accounts")
    app.add_typer(users_app, name="users")
    app.add_typer(enterprises_app, name="enterprises")
    app.command("serve")(serve)
    app.command("worker")(worker)
