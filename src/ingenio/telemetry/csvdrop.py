"""A CSV drop folder: meter software writes files, the agent takes them into its outbox.

Each ``*.csv`` file (UTF-8, a header row) holds readings, one a row::

    line,meter,ts,kwh_total,kw,count,reset
    CIG-GAL1,main,2026-04-06T08:00:00-04:00,1520.5,48.0,3120,

``kwh_total``, ``kw``, ``count`` and ``reset`` may be empty. Files are taken in
name order. A file's readings enter the outbox in one transaction with the
file's name marked done, then the file moves to ``done/``; rows that do not read
are written with their reason to ``rejected/<file>.txt``. A file written by the
meter software must appear whole (written elsewhere, then renamed into the folder).
"""

from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from pathlib import Path

import orjson
from pydantic import ValidationError

from ingenio.limits import MAX_TEXT_BYTES
from ingenio.telemetry.outbox import Item, Outbox
from ingenio.telemetry.payloads import ROOT, Reading, data_topic

FILES_PER_STEP = 10
"""Files taken into the outbox per step of the agent's loop."""


def _number(text: str | None) -> float | None:
    text = (text or "").strip()
    return None if not text else float(text)


class CsvDrop:
    """The drop folder of one plant (a :class:`~ingenio.telemetry.agent.Source`)."""

    def __init__(self, folder: Path, account: str, plant: str, root: str = ROOT) -> None:
        self.folder, self.account, self.plant, self.root = folder, account, plant, root
        for sub in ("done", "rejected"):
            (folder / sub).mkdir(parents=True, exist_ok=True)

    def step(self, outbox: Outbox) -> bool:
        """Take the next files into the outbox; always True (the folder never ends)."""
        files = sorted(p for p in self.folder.glob("*.csv") if p.is_file())[:FILES_PER_STEP]
        if not files:
            time.sleep(0.2)
        for path in files:
            key = f"csv:{path.name}:{path.stat().st_size}"
            if outbox.get_state(key) is None:
                items, rejected = self.read(path)
                outbox.add(items, time.time(), state={key: "done"})
                if rejected:
                    note = self.folder / "rejected" / f"{path.name}.txt"
                    note.write_text("\n".join(rejected) + "\n", encoding="utf-8")
            path.replace(self.folder / "done" / path.name)
        return True

    def read(self, path: Path) -> tuple[list[Item], list[str]]:
        """The readings of a file, and the rows refused (``row N: reason``)."""
        if path.stat().st_size > MAX_TEXT_BYTES:
            return [], [f"{path.name}: larger than {MAX_TEXT_BYTES} bytes; not read"]
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        items: list[Item] = []
        rejected: list[str] = []
        for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            try:
                line, meter = (row.get("line") or "").strip(), (row.get("meter") or "").strip()
                if not line or not meter or "/" in line + meter:
                    raise ValueError("line and meter are needed (no '/')")
                reading = Reading(
                    seq=1,
                    ts=datetime.fromisoformat((row.get("ts") or "").strip()),
                    kwh_total=_number(row.get("kwh_total")),
                    kw=_number(row.get("kw")),
                    count=_number(row.get("count")),
                    reset=(row.get("reset") or "").strip().lower() in ("1", "true", "yes"),
                )
            except (ValueError, ValidationError) as exc:
                rejected.append(f"row {n}: {' '.join(str(exc).split())[:300]}")
                continue
            body = reading.model_dump(mode="json", exclude={"seq", "msg_id"}, exclude_none=True)
            if not reading.reset:
                body.pop("reset", None)
            body.pop("historical", None)
            topic = data_topic(self.account, self.plant, line, meter, self.root)
            items.append(Item(topic, orjson.dumps(body).decode(), f"{line}/{meter}"))
        return items, rejected
