"""Broker credentials: an MQTT user per plant, Mosquitto's password file and its ACL.

Each plant's gateway logs in as ``<account>/<plant>`` (neither id may hold a ``/``,
so the name is unambiguous) and may write only its plant's telemetry topics and
read only its plant's backfill commands; the ingester's user reads everything
under the root and writes the backfill commands. The password is random, shown
once; only Mosquitto's PBKDF2-SHA512 hash (``$7$``, what ``mosquitto_passwd``
writes) is kept, and the password file is made from the hashes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from ingenio.telemetry.payloads import ROOT

INGESTER_USER = "ingenio-ingest"
"""The ingester's MQTT user."""

ITERATIONS = 10_000
"""PBKDF2 rounds of a password hash (mosquitto_passwd's default is 101; the broker
pays them once per login, a few milliseconds)."""

_SALT_BYTES = 12


@dataclass(frozen=True)
class Device:
    """A broker user: a plant's device, or the ingester (``plant`` None)."""

    username: str
    account: str
    plant: str | None
    password_hash: str


def device_username(account: str, plant: str) -> str:
    """The MQTT user of a plant's device."""
    return f"{account}/{plant}"


def new_password() -> str:
    """A random password (32 URL-safe characters, 192 bits)."""
    return secrets.token_urlsafe(24)


def mosquitto_hash(password: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """The password's hash as Mosquitto's password file holds it (``$7$``: PBKDF2-SHA512)."""
    salt = secrets.token_bytes(_SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)
    return (f"$7${iterations}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")  # fmt: skip


def check_password(password: str, hashed: str) -> bool:
    """Whether ``password`` is the one ``hashed`` was made from."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[1] != "7" or not parts[2].isdigit():
        return False
    salt = base64.b64decode(parts[3])
    return secrets.compare_digest(mosquitto_hash(password, int(parts[2]), salt), hashed)


def password_file(devices: Iterable[Device]) -> str:
    """Mosquitto's ``password_file``: ``user:hash`` a line."""
    return "".join(f"{d.username}:{d.password_hash}\n" for d in sorted(devices, key=_order))


def acl_file(devices: Iterable[Device], root: str = ROOT) -> str:
    """Mosquitto's ``acl_file``: each plant's user inside its own subtree; the ingester's."""
    blocks = []
    for d in sorted(devices, key=_order):
        if d.plant is None:
            blocks.append(f"user {d.username}\ntopic read {root}/#\n"
                          f"topic write {root}/+/+/cmd/backfill\n")  # fmt: skip
            continue
        base = f"{root}/{d.account}/{d.plant}"
        blocks.append(
            f"user {d.username}\n"
            f"topic write {base}/+/+/data\n"
            f"topic write {base}/grid\n"
            f"topic write {base}/generator/+\n"
            f"topic write {base}/status\n"
            f"topic write {base}/watermark\n"
            f"topic read {base}/cmd/backfill\n"
        )
    header = "# Made by `ingenio telemetry acl`: each plant's device writes only its own\n"
    return header + "# topics and reads only its own commands. Do not edit by hand.\n\n" + (
        "\n".join(blocks))


def _order(device: Device) -> tuple[bool, str]:
    return device.plant is not None, device.username
