"""The agent's SQLite outbox: every reading is written here before it is sent.

A row leaves the outbox only when the broker has acknowledged it (PUBACK); it
then moves to ``history``, kept :data:`HISTORY_DAYS` days so that a backfill
request can be answered. Per-meter sequence numbers and the simulation's
position survive a reboot in the same file. WAL mode and ``synchronous=FULL``:
a reading written is a reading kept, even when the power goes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

HISTORY_DAYS = 14
"""Days of sent readings kept to answer backfill requests."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    meter TEXT,
    seq INTEGER,
    body TEXT NOT NULL,
    queued_at REAL NOT NULL,
    historical INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS history (
    meter TEXT NOT NULL,
    seq INTEGER NOT NULL,
    topic TEXT NOT NULL,
    body TEXT NOT NULL,
    ts TEXT NOT NULL,
    PRIMARY KEY (meter, seq)
);
CREATE TABLE IF NOT EXISTS seqs (meter TEXT PRIMARY KEY, last_seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Entry:
    """One row waiting in the outbox: a reading (``meter`` and ``seq`` set) or a state."""

    id: int
    topic: str
    meter: str | None
    seq: int | None
    body: str
    queued_at: float
    historical: bool


@dataclass(frozen=True)
class Item:
    """What a source hands the outbox: a topic, a JSON body, and for readings the meter.

    ``body`` of a reading is its JSON object without ``seq`` (the outbox numbers it).
    """

    topic: str
    body: str
    meter: str | None = None


class Outbox:
    """The outbox file; safe to use from several threads (one connection, one lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def add(self, items: Iterable[Item], now: float, historical: bool = False,
            state: dict[str, str] | None = None) -> list[int]:  # fmt: skip
        """Write items (and the source's position ``state``) in one transaction.

        Each reading gets its meter's next sequence number; returns them (0 for states).
        """
        seqs: list[int] = []
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                last: dict[str, int] = {}
                for item in items:
                    seq = None
                    body = item.body
                    if item.meter is not None:
                        if item.meter not in last:
                            row = db.execute(
                                "SELECT last_seq FROM seqs WHERE meter = ?", (item.meter,)
                            ).fetchone()
                            last[item.meter] = row[0] if row else 0
                        seq = last[item.meter] + 1
                        last[item.meter] = seq
                        body = '{"seq":' + str(seq) + "," + body[1:]
                    db.execute(
                        "INSERT INTO outbox (topic, meter, seq, body, queued_at, historical) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (item.topic, item.meter, seq, body, now, int(historical)),
                    )
                    seqs.append(seq or 0)
                db.executemany(
                    "INSERT INTO seqs (meter, last_seq) VALUES (?, ?) ON CONFLICT (meter) "
                    "DO UPDATE SET last_seq = excluded.last_seq",
                    list(last.items()),
                )
                for key, value in (state or {}).items():
                    db.execute(
                        "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) "
                        "DO UPDATE SET value = excluded.value",
                        (key, value),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return seqs

    def pending(self, after_id: int, limit: int) -> list[Entry]:
        """Rows waiting, oldest first, with ids above ``after_id``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, topic, meter, seq, body, queued_at, historical FROM outbox "
                "WHERE id > ? ORDER BY id LIMIT ?",
                (after_id, limit),
            ).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def count(self) -> int:
        """Rows waiting."""
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    def acked(self, entries: Sequence[Entry]) -> None:
        """The broker has them: move the readings to history, delete the rows."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO history (meter, seq, topic, body, ts) "
                    "VALUES (?, ?, ?, ?, datetime('now'))",
                    [(e.meter, e.seq, e.topic, e.body) for e in entries if e.meter is not None],
                )
                db.executemany("DELETE FROM outbox WHERE id = ?", [(e.id,) for e in entries])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def backfill(self, meter: str, from_seq: int, to_seq: int, now: float) -> int:
        """Queue the kept readings ``from_seq..to_seq`` of a meter again; return how many."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO outbox (topic, meter, seq, body, queued_at, historical) "
                    "SELECT topic, meter, seq, body, ?, 1 FROM history "
                    "WHERE meter = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                    (now, meter, from_seq, to_seq),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return cursor.rowcount

    def prune(self, now: datetime) -> None:
        """Forget sent readings older than :data:`HISTORY_DAYS`."""
        cutoff = (now - timedelta(days=HISTORY_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
        with self._lock:
            self._db.execute("DELETE FROM history WHERE ts < ?", (cutoff,))

    def last_seqs(self) -> dict[str, int]:
        """Each meter's last sequence number."""
        with self._lock:
            return dict(self._db.execute("SELECT meter, last_seq FROM seqs").fetchall())

    def get_state(self, key: str) -> str | None:
        """A value the source kept (e.g. the simulation's position)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])
