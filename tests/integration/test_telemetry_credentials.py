"""Per-plant broker users: made by the service, written as Mosquitto's password file and
ACL, and enforced by a Mosquitto of the test's own (a device cannot publish into
another plant's topics, nor log in with a wrong password)."""

from __future__ import annotations

import os
import pwd
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from paho.mqtt.client import Client
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from telemetry_support import MOSQUITTO, free_port, saved_plant, tenant, wait_for

from ingenio.errors import IngenioError
from ingenio.services.context import Context
from ingenio.services.telemetry import add_device, broker_files, devices
from ingenio.telemetry.credentials import check_password, mosquitto_hash


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    context = saved_plant(f"sqlite:///{(tmp_path / 'store.sqlite').as_posix()}")
    yield context
    context.store.get().close()


class SecureBroker:
    """Mosquitto on a free port with no anonymous access, the given password file and ACL."""

    def __init__(self, folder: Path, passwd: Path, acl: Path) -> None:
        if not Path(MOSQUITTO).exists():
            pytest.skip(f"{MOSQUITTO} is not installed")
        self.port = free_port()
        config = folder / "mosquitto.conf"
        me = pwd.getpwuid(os.getuid()).pw_name  # as root, Mosquitto would drop to "mosquitto"
        config.write_text(f"listener {self.port} 127.0.0.1\nallow_anonymous false\n"
                          f"password_file {passwd}\nacl_file {acl}\npersistence false\n"
                          f"user {me}\n")  # fmt: skip
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(config)],
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)  # fmt: skip

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _client(port: int, username: str, password: str) -> tuple[Client, list[int]]:
    """A connected MQTT v5 client; the list gets the CONNACK's reason code."""
    codes: list[int] = []
    client = Client(CallbackAPIVersion.VERSION2, client_id=f"t-{uuid.uuid4().hex[:8]}",
                    protocol=MQTTProtocolVersion.MQTTv5)  # fmt: skip
    client.username_pw_set(username, password)
    client.on_connect = lambda c, u, f, reason, p: codes.append(reason.value)
    deadline = 50
    while True:  # the broker may still be starting
        try:
            client.connect("127.0.0.1", port)
            break
        except OSError:
            deadline -= 1
            if not deadline:
                raise
            threading.Event().wait(0.2)
    client.loop_start()
    wait_for(lambda: bool(codes), 20, f"the CONNACK for {username}")
    return client, codes


def test_a_device_publishes_only_into_its_own_plant(ctx: Context, tmp_path: Path) -> None:
    account = tenant(ctx, "cred")
    p1_user, p1_password = add_device(ctx, account, "P1")
    p2_user, _ = add_device(ctx, account, "P2")
    ingest_user, ingest_password = add_device(ctx, account, None)
    assert (p1_user, p2_user, ingest_user) == (f"{account}/P1", f"{account}/P2", "ingenio-ingest")
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    assert broker_files(ctx, passwd, acl) == 3
    assert p1_password not in passwd.read_text() and passwd.stat().st_mode & 0o077 == 0
    stored = {d.username: d.password_hash for d in devices(ctx)}
    assert check_password(p1_password, stored[p1_user])
    assert not check_password(p1_password, stored[p2_user])

    broker = SecureBroker(tmp_path, passwd, acl)
    got: list[str] = []
    clients: list[Client] = []
    try:
        ingester, codes = _client(broker.port, ingest_user, ingest_password)
        clients.append(ingester)
        assert codes == [0]
        subscribed = threading.Event()
        ingester.on_message = lambda c, u, m: got.append(m.topic)
        ingester.on_subscribe = lambda *args: subscribed.set()
        ingester.subscribe("ingenio/v1/#", qos=1)
        assert subscribed.wait(10)

        device, codes = _client(broker.port, p1_user, p1_password)
        clients.append(device)
        assert codes == [0]
        base = f"ingenio/v1/{account}"
        topics = [f"{base}/P2/L1/main/data",  # the neighbour plant: refused
                  "ingenio/v1/other/P1/L1/main/data",  # another tenant's tree: refused
                  f"{base}/P2/cmd/backfill",  # a command of the ingester: refused
                  f"{base}/P1/L1/main/data"]  # its own: delivered
        for topic in topics:
            device.publish(topic, b'{"seq": 1}', qos=1).wait_for_publish(10)
        wait_for(lambda: f"{base}/P1/L1/main/data" in got, 20, "the device's own reading")
        threading.Event().wait(1.0)  # anything refused would have arrived by now
        assert got == [f"{base}/P1/L1/main/data"]

        thief, codes = _client(broker.port, p1_user, "not the password")
        clients.append(thief)
        assert codes and codes[0] != 0  # refused: not authorised
    finally:
        for client in clients:
            client.disconnect()
            client.loop_stop()
        broker.stop()


def test_a_device_user_is_made_only_for_a_plant_its_account_holds(ctx: Context) -> None:
    account = tenant(ctx, "cred")
    with pytest.raises(IngenioError, match=r"no portfolio of account .* holds it"):
        add_device(ctx, account, "P9")
    user, first = add_device(ctx, account, "P1")
    with pytest.raises(IngenioError, match="has a broker user already"):
        add_device(ctx, account, "P1")
    again, second = add_device(ctx, account, "P1", rotate=True)
    [kept] = [d for d in devices(ctx) if d.username == user]
    assert again == user and first != second
    assert check_password(second, kept.password_hash) and not check_password(first,
                                                                           kept.password_hash)


def test_the_hash_is_the_one_mosquitto_passwd_writes() -> None:
    # mosquitto_passwd -b file dev1 s3cret wrote this line (salt and all, 101 rounds)
    line = ("$7$101$EUlvnxpzLqCUui2v$aPdlzUHyEJGNdq9IUClH6gDBSg7PUd0jpoYOnD/PTtpDTiJ3d9bmA/"
            "bLdAIDlwHwSepBb4ioO15PDipuSmxIuw==")
    assert check_password("s3cret", line) and not check_password("s3cret!", line)
    assert mosquitto_hash("s3cret").startswith("$7$10000$")
