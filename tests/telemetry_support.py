"""Helpers of the telemetry tests: a broker of their own, a link that can be cut, a plant.

``Broker`` starts ``/usr/sbin/mosquitto`` on a free port with a temporary
configuration (persistence in the test's folder) so a test can stop and restart
it; ``LinkProxy`` forwards TCP to it and can drop every connection and refuse
new ones (an LTE link going down); ``saved_plant`` saves the small portfolio
and a dispatch plan in a store.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from ingenio.services.context import Context, StoreHandle
from ingenio.services.plans import load_portfolio_file, make_plan, save_versions
from ingenio.settings import load_settings
from ingenio.store import Store

MOSQUITTO = "/usr/sbin/mosquitto"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "small.yaml"
SHARED_BROKER = ("127.0.0.1", 1883)


def unique(prefix: str) -> str:
    """A name no parallel run uses (accounts in topics, client ids)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until true (fail the test with ``what`` after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def shared_broker_or_skip() -> tuple[str, int]:
    try:
        socket.create_connection(SHARED_BROKER, timeout=2).close()
    except OSError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Mosquitto at 127.0.0.1:1883 unreachable: {exc}")
        pytest.skip(f"Mosquitto at 127.0.0.1:1883 unreachable: {exc}")
    return SHARED_BROKER


class Broker:
    """A Mosquitto of the test's own, on a free port, that the test may stop and restart."""

    def __init__(self, folder: Path, max_queued: int = 0) -> None:
        if not Path(MOSQUITTO).exists():
            pytest.skip(f"{MOSQUITTO} is not installed")
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {folder}/\n"
            f"max_queued_messages {max_queued}\nmax_inflight_messages 0\n"
            "autosave_interval 1\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._listening, 10, f"mosquitto on port {self.port}")

    def _listening(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)
            self.process = None


class LinkProxy:
    """TCP forwarding to a broker; :meth:`cut` drops the link, :meth:`mend` restores it."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self.up = True
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", self.port))
        self._server.listen(16)
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def cut(self) -> None:
        self.up = False
        with self._lock:
            for s in self._conns:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._conns.clear()

    def mend(self) -> None:
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._server.close()


def saved_plant(url: str) -> Context:
    """A store holding the small portfolio and a dispatch plan; the context on it."""
    outcome = make_plan(load_portfolio_file(FIXTURE), planner="dispatch")
    store = Store.open(url)
    save_versions(store, outcome, note="telemetry test")
    return Context(StoreHandle.of(store), load_settings(), _actor())


def tenant(
    ctx: Context, prefix: str, plants: dict[str, str] | None = None, *, plan: bool = False
) -> str:
    """A new account of the test's own whose portfolio holds the fixture's plants.

    The ingester takes a plant's readings only under the account that holds it;
    ``plants`` renames plant ids (``{"P1": "Q1"}``) for an account that holds others.
    With ``plan``, the account also gets a copy of the default account's plan (what a
    simulated agent of the account plays, and what its suggestions replan).
    """
    from ingenio.formats.portfolio import portfolio_to_document

    account = unique(prefix)
    store = ctx.store.get()
    store.add_account(account, account, "management", "tester")
    document = portfolio_to_document(load_portfolio_file(FIXTURE))
    for plant in document["plants"]:
        plant["id"] = (plants or {}).get(plant["id"], plant["id"])
    pv = store.save_portfolio("Small", document, account=account)
    if plan:
        latest = store.plans("Small")[-1]
        _, plan_doc = store.load_plan(latest.id)
        store.save_plan(pv.id, latest.planner, latest.status, latest.value, latest.bound,
                        latest.seconds, plan_doc, {}, actor="tester")  # fmt: skip
    return account


def _actor():  # type: ignore[no-untyped-def]
    from ingenio.services.context import Actor

    return Actor("tester")


def ingenio_process(args: list[str], env_db: str, log: Path) -> subprocess.Popen[bytes]:
    """``ingenio --db URL <args>`` in a process of its own (so it can be killed -9)."""
    exe = shutil.which("ingenio", path=str(Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "ingenio.cli.main"]
    with log.open("ab") as handle:  # the child keeps its own descriptor
        return subprocess.Popen([*command, "--db", env_db, *args], stdout=handle, stderr=handle)
