"""Telemetry commands: ``agent``, ``ingest``, ``telemetry stats``, ``suggestions``.

The MQTT password is never a command-line argument: ``INGENIO_MQTT_PASSWORD``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ingenio.cli.errors import context_of, fail, run_guarded
from ingenio.cli.lang import _, num, service_text, word
from ingenio.domain import Window
from ingenio.services.context import Context, cli_context

console = Console(markup=False)
err = Console(markup=False, stderr=True)

PASSWORD_ENV_VAR = "INGENIO_MQTT_PASSWORD"
"""Where the agent and the ingester read their MQTT password."""

telemetry_app = typer.Typer(help="What the meters sent.", no_args_is_help=True)
suggestions_app = typer.Typer(help="Replan suggestions raised by metered grid losses.")
devices_app = typer.Typer(help="Broker users: one per plant's device, and the ingester's.",
                          no_args_is_help=True)  # fmt: skip
telemetry_app.add_typer(devices_app, name="devices")

Broker = Annotated[str, typer.Option("--broker", help="The MQTT broker, HOST:PORT.")]
Account = Annotated[str, typer.Option("--account", help="The account (tenant) in the topics.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Db = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite file (default: the global --db).")
]
Username = Annotated[
    str | None, typer.Option("--username", help="MQTT user (password: $INGENIO_MQTT_PASSWORD).")
]


def _context(ctx: typer.Context, db: str | None) -> Context:
    return cli_context(db) if db else context_of(ctx)


def _blackout(text: str) -> Window:
    start, _dash, end = text.partition("-")
    if not (start.strip().isdigit() and end.strip().isdigit()) or int(end) <= int(start):
        fail(_("--blackout: expected START-END minutes from the plan's origin, got %(text)s",
               text=repr(text)))  # fmt: skip
    return Window(int(start), int(end))


def agent(
    ctx: typer.Context,
    broker: Broker,
    outbox: Annotated[Path, typer.Option("--outbox", help="The agent's SQLite outbox file.")],
    plant: Annotated[str, typer.Option("--plant", help="The plant this agent reads.")],
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Play the plant's published (or latest) plan.")
    ] = False,
    days: Annotated[float, typer.Option("--days", min=0.01, max=366, help="Days to play.")] = 1.0,
    speed: Annotated[
        str, typer.Option("--speed", help="'max', or plant minutes per wall minute.")
    ] = "max",
    account: Account = "default",
    batch: Annotated[
        int, typer.Option("--batch", min=1, max=5000, help="Readings a message.")
    ] = 60,
    blackout: Annotated[
        list[str] | None,
        typer.Option("--blackout", help="Unannounced grid loss, START-END minutes (repeat)."),
    ] = None,
    csv_dir: Annotated[
        Path | None, typer.Option("--csv-dir", help="Read meters from CSV files dropped here.")
    ] = None,
    modbus: Annotated[
        str | None, typer.Option("--modbus", help="Poll Modbus TCP meters at HOST:PORT.")
    ] = None,
    register_map: Annotated[
        Path | None, typer.Option("--map", help="The Modbus register map (CSV or YAML).")
    ] = None,
    every: Annotated[
        float, typer.Option("--every", min=0.1, help="Seconds between Modbus polls.")
    ] = 60.0,
    username: Username = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Run a plant's edge agent: outbox first, QoS 1, a row deleted only on PUBACK.

    With --simulate it plays --days of the plan and exits once every reading is
    acknowledged, printing the readings and messages sent.
    """
    from ingenio.services.telemetry import AgentOptions, broker_address, run_agent

    def work() -> None:
        host, port = broker_address(broker)
        if speed != "max" and not speed.replace(".", "", 1).isdigit():
            fail(_("--speed: expected 'max' or a number, got %(text)s", text=repr(speed)))
        rate = None if speed == "max" else max(float(speed), 0.001)
        options = AgentOptions(host, port, account, plant, batch=batch, username=username,
                               password=os.environ.get(PASSWORD_ENV_VAR))  # fmt: skip
        windows = tuple(_blackout(b) for b in blackout or ())
        if register_map is not None and modbus is None:
            fail("--map: only with --modbus HOST:PORT")
        if modbus is not None and register_map is None:
            fail("--modbus: needs --map FILE (the register map)")
        meters = broker_address(modbus, "--modbus", 502) if modbus else None
        counts = run_agent(_context(ctx, db), options, outbox, threading.Event(),
                           simulate_days=days if simulate else None, speed=rate,
                           blackouts=windows, csv_dir=csv_dir, modbus=meters,
                           modbus_map_path=register_map, poll_s=every,
                           until_done=simulate)  # fmt: skip
        if as_json:
            sys.stdout.write(json.dumps({"readings": counts.readings,
                                         "messages": counts.messages}) + "\n")  # fmt: skip
        else:
            console.print(_("sent %(readings)s readings in %(messages)s messages "
                            "(%(backfilled)s backfilled)", readings=num(counts.readings),
                            messages=num(counts.messages),
                            backfilled=num(counts.backfilled)))  # fmt: skip

    run_guarded(ctx, work)


def ingest(
    ctx: typer.Context,
    broker: Broker,
    db: Db = None,
    account: Annotated[str, typer.Option("--account", help="One account, or + for all.")] = "+",
    client_id: Annotated[
        str, typer.Option("--client-id", help="The persistent session's id (keep it stable).")
    ] = "ingenio-ingest",
    watch: Annotated[
        float, typer.Option("--watch", min=0, help="Seconds between grid-loss checks (0: off).")
    ] = 30.0,
    username: Username = None,
) -> None:
    """Ingest readings into the database until stopped (Ctrl-C, SIGTERM).

    MQTT v5 persistent session, QoS 1, acknowledged only after the commit.
    """
    from ingenio.services.telemetry import IngestOptions, broker_address, run_ingest

    def work() -> None:
        host, port = broker_address(broker)
        options = IngestOptions(host, port, account, client_id, username=username,
                                password=os.environ.get(PASSWORD_ENV_VAR))  # fmt: skip
        where = f"{host}:{port}"
        err.print(_("ingesting from %(broker)s as %(client)s; Ctrl-C stops", broker=where,
                    client=repr(client_id)))  # fmt: skip
        stop = threading.Event()
        try:
            run_ingest(_context(ctx, db), options, stop, watch_s=watch,
                       on_ready=lambda: err.print(_("subscribed: ingesting")))  # fmt: skip
        except KeyboardInterrupt:
            stop.set()

    run_guarded(ctx, work)


@telemetry_app.command("stats")
def stats(ctx: typer.Context, db: Db = None, as_json: Json = False) -> None:
    """Readings stored, duplicates dropped, quarantined, gaps open, last reading per meter."""
    from ingenio.services.telemetry import figures

    def work() -> None:
        f = figures(_context(ctx, db))
        if as_json:
            sys.stdout.write(json.dumps({"readings": f.readings,
                                         "duplicates_dropped": f.duplicates_dropped,
                                         "quarantined": f.quarantined,
                                         "gaps_open": f.gaps_open}) + "\n")  # fmt: skip
            return
        console.print(_("readings %(readings)s, duplicates dropped %(duplicates)s, "
                        "quarantined %(quarantined)s, gaps open %(gaps)s",
                        readings=num(f.readings), duplicates=num(f.duplicates_dropped),
                        quarantined=num(f.quarantined), gaps=num(f.gaps_open)))  # fmt: skip
        table = Table(_("account"), _("plant"), _("line"), _("meter"), _("last seq"),
                      _("last reading"))  # fmt: skip
        for m in f.meters:
            last = m.last_ts.isoformat() if m.last_ts else "-"
            table.add_row(m.account, m.plant, m.line, m.meter, str(m.last_seq), last)
        console.print(table)

    run_guarded(ctx, work)


@devices_app.command("add")
def device_add(
    ctx: typer.Context,
    plant: Annotated[
        str | None, typer.Option("--plant", help="The plant whose device logs in.")
    ] = None,
    account: Account = "default",
    ingester: Annotated[
        bool, typer.Option("--ingester", help="The ingester's user instead of a plant's.")
    ] = False,
    rotate: Annotated[
        bool, typer.Option("--rotate", help="Give an existing user a new password.")
    ] = False,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """Make a plant's broker user and print its password, once (only its hash is kept).

    Then `ingenio telemetry acl` writes the broker's password file and ACL.
    """
    from ingenio.services.telemetry import add_device

    def work() -> None:
        if ingester == (plant is not None):
            fail("--plant: name the plant, or give --ingester (one of the two)")
        username, password = add_device(_context(ctx, db), account, plant, rotate)
        if as_json:
            sys.stdout.write(json.dumps({"username": username, "password": password}) + "\n")
            return
        console.print(f"user:     {username}\npassword: {password}")
        err.print("The password is shown this once; put it in the device's "
                  f"{PASSWORD_ENV_VAR}. Then run `ingenio telemetry acl`.")  # fmt: skip

    run_guarded(ctx, work)


@devices_app.command("list")
def device_list(ctx: typer.Context, db: Db = None, as_json: Json = False) -> None:
    """List the broker users (never their passwords)."""
    from ingenio.services.telemetry import devices

    def work() -> None:
        found = devices(_context(ctx, db))
        if as_json:
            rows = [{"username": d.username, "account": d.account, "plant": d.plant}
                    for d in found]  # fmt: skip
            sys.stdout.write(json.dumps(rows) + "\n")
            return
        table = Table("user", "account", "plant")
        for d in found:
            table.add_row(d.username, d.account if d.plant else "-", d.plant or "(ingester)")
        console.print(table)

    run_guarded(ctx, work)


@telemetry_app.command("acl")
def acl(
    ctx: typer.Context,
    passwd: Annotated[Path, typer.Option("--passwd", help="Mosquitto's password_file.")],
    acl_path: Annotated[Path, typer.Option("--acl", help="Mosquitto's acl_file.")],
    db: Db = None,
) -> None:
    """Write Mosquitto's password file and ACL: each plant's user inside its own topics.

    Reload the broker afterwards (SIGHUP) to apply them.
    """
    from ingenio.services.telemetry import broker_files

    def work() -> None:
        count = broker_files(_context(ctx, db), passwd, acl_path)
        console.print(f"{count} users written to {passwd} and {acl_path}; "
                      "reload Mosquitto (SIGHUP) to apply them")  # fmt: skip

    run_guarded(ctx, work)


@suggestions_app.callback(invoke_without_command=True)
def suggestions(ctx: typer.Context, db: Db = None, as_json: Json = False) -> None:
    """List replan suggestions (newest first); `accept ID` or `dismiss ID` decides one."""
    if ctx.invoked_subcommand is not None:
        return
    from ingenio.services.telemetry_actuals import suggestions as listed

    def work() -> None:
        found = listed(_context(ctx, db))
        if as_json:
            rows = [{"id": s.id, "plant": s.plant_id, "status": s.status,
                     "outage_start": s.outage_start.isoformat(), "evidence": s.evidence,
                     "preview": s.preview.get("text", "")} for s in found]  # fmt: skip
            sys.stdout.write(json.dumps(rows) + "\n")
            return
        table = Table(_("id"), _("plant"), _("grid lost"), _("status"), _("what it hits"))
        for s in found:
            table.add_row(str(s.id), s.plant_id, s.outage_start.isoformat(),
                          word(s.status),
                          service_text(str(s.preview.get("text", ""))))  # fmt: skip
        console.print(table)

    run_guarded(ctx, work)


@suggestions_app.command("accept")
def accept(
    ctx: typer.Context,
    suggestion_id: Annotated[int, typer.Argument(help="The suggestion's id.")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1)] = 5.0,
    db: Db = None,
) -> None:
    """Replan the plant for the metered outage (the reason goes to the audit log)."""
    from ingenio.services.telemetry_actuals import accept as accepted

    def work() -> None:
        s = accepted(_context(ctx, db), suggestion_id, time_limit)
        console.print(_("suggestion %(id)s accepted: plan %(plan)s saved", id=s.id,
                        plan=s.plan_id))  # fmt: skip

    run_guarded(ctx, work)


@suggestions_app.command("dismiss")
def dismiss(
    ctx: typer.Context,
    suggestion_id: Annotated[int, typer.Argument(help="The suggestion's id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")],
    db: Db = None,
) -> None:
    """Dismiss a suggestion, with the reason."""
    from ingenio.services.telemetry_actuals import dismiss as dismissed

    def work() -> None:
        s = dismissed(_context(ctx, db), suggestion_id, reason)
        console.print(_("suggestion %(id)s dismissed", id=s.id))

    run_guarded(ctx, work)


def register(app: typer.Typer) -> None:
    """Add the telemetry commands to the ``ingenio`` app."""
    app.command("agent")(agent)
    app.command("ingest")(ingest)
    app.add_typer(telemetry_app, name="telemetry")
    app.add_typer(suggestions_app, name="suggestions")
