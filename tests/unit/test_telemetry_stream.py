"""The ingester's stream rules, the agent's outbox and the wire format, without a broker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingenio.telemetry.outbox import Item, Outbox
from ingenio.telemetry.payloads import data_topic, json_schemas, parse_topic, subscriptions
from ingenio.telemetry.stream import Message, MeterBook, MeterKey, parse_messages

T0 = datetime(2026, 4, 6, 4, 0, tzinfo=UTC)
TOPIC = data_topic("acme", "P1", "L1", "main")
KEY = MeterKey("acme", "P1", "L1", "main")


def reading(seq: int, kwh: float | None = None, **extra: object) -> dict[str, object]:
    out: dict[str, object] = {"seq": seq, "ts": (T0 + timedelta(minutes=seq)).isoformat(),
                              "kwh_total": float(seq) if kwh is None else kwh, "kw": 60.0}
    out.update(extra)
    return out


def parse(book: MeterBook, *payloads: object, topic: str = TOPIC):
    messages = [Message(topic, p if isinstance(p, bytes) else json.dumps(p).encode())
                for p in payloads]
    return parse_messages(messages, book, T0 + timedelta(days=1))


def test_a_batch_in_order_is_stored_and_advances_the_meter() -> None:
    book = MeterBook({}, [])
    batch = parse(book, [reading(1), reading(2), reading(3)])
    assert [r.reading.seq for r in batch.readings] == [1, 2, 3]
    assert not batch.quarantined and not batch.new_gaps
    assert book.states[KEY].last_seq == 3 and book.states[KEY].last_kwh == 3.0


def test_a_jump_in_sequence_opens_a_gap_that_late_readings_touch() -> None:
    book = MeterBook({}, [])
    batch = parse(book, reading(1), reading(5))
    [gap] = batch.new_gaps
    assert (gap.from_seq, gap.to_seq, gap.size) == (2, 4, 3)
    assert gap.after_ts == T0 + timedelta(minutes=1) and gap.before_ts == T0 + timedelta(minutes=5)
    book.commit(())
    late = parse(book, reading(3, historical=True))
    assert late.touched_gaps == [gap] and not late.new_gaps
    assert book.states[KEY].last_seq == 5  # a late reading does not move the stream back


def test_a_meter_first_seen_mid_stream_misses_what_came_before() -> None:
    batch = parse(MeterBook({}, []), reading(4))
    assert [(g.from_seq, g.to_seq) for g in batch.new_gaps] == [(1, 3)]


def test_a_watermark_opens_a_gap_at_the_end_and_does_not_reopen_it() -> None:
    book = MeterBook({}, [])
    parse(book, reading(1))
    book.commit(())
    mark = {"meters": {"L1/main": 6}}
    batch = parse(book, mark, topic="ingenio/v1/acme/P1/watermark")
    [gap] = batch.new_gaps
    assert (gap.from_seq, gap.to_seq, gap.before_ts) == (2, 6, None)
    book.commit(())
    again = parse(book, mark, reading(8), topic="ingenio/v1/acme/P1/watermark")
    assert not again.new_gaps  # the same watermark again: nothing new


def test_bad_payloads_are_quarantined_with_their_reason_and_the_stream_goes_on() -> None:
    book = MeterBook({}, [])
    batch = parse(
        book,
        b"not json {",
        {"ts": T0.isoformat(), "kw": 1.0},  # no seq
        reading(1, ts=(T0 + timedelta(days=3)).isoformat()),  # in the future
        reading(1, kwh=100.0),
        reading(2, kwh=50.0),  # the register runs backwards without a reset
        reading(3, kwh=10.0, reset=True),  # a reset is fine
        [reading(4, kwh=11.0), {"seq": "x"}],  # one bad item in a list
    )
    reasons = [q.reason for q in batch.quarantined]
    assert len(reasons) == 5
    assert "not JSON" in reasons[0]
    assert "seq" in reasons[1] and "Field required" in reasons[1]
    assert "in the future" in reasons[2]
    assert "kwh_total went backwards from 100.0 to 50.0 without reset" in reasons[3]
    assert "seq" in reasons[4]
    assert [r.reading.seq for r in batch.readings] == [1, 3, 4]


def test_an_unknown_topic_is_quarantined() -> None:
    batch = parse(MeterBook({}, []), reading(1), topic="ingenio/v1/acme/P1/L1/main/oops")
    assert [q.reason for q in batch.quarantined] == ["unknown topic"]


def test_rollback_forgets_what_a_failed_write_changed() -> None:
    book = MeterBook({}, [])
    book.begin()
    parse(book, reading(1), reading(4))
    book.rollback()
    assert KEY not in book.states and not book.open_gaps


def test_topics_parse_back() -> None:
    assert parse_topic(TOPIC) is not None and parse_topic(TOPIC).meter == "main"  # type: ignore[union-attr]
    assert parse_topic("ingenio/v1/acme/P1/generator/G1").generator == "G1"  # type: ignore[union-attr]
    assert parse_topic("ingenio/v1/acme/P1/cmd/backfill").kind == "backfill"  # type: ignore[union-attr]
    assert parse_topic("other/v1/acme/P1/grid") is None
    assert "ingenio/v1/acme/+/+/+/data" in subscriptions("acme")


def test_the_outbox_numbers_readings_keeps_them_until_acked_and_answers_backfills(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path)
    items = [Item(TOPIC, json.dumps({"ts": T0.isoformat(), "kw": 1.0}), "L1/main")] * 3
    assert box.add(items, 0.0, state={"sim": "3"}) == [1, 2, 3]
    box.close()
    box = Outbox(path)  # a reboot keeps everything
    assert box.get_state("sim") == "3"
    waiting = box.pending(0, 10)
    assert [e.seq for e in waiting] == [1, 2, 3]
    assert json.loads(waiting[0].body)["seq"] == 1
    box.acked(waiting[:2])
    assert box.count() == 1
    assert box.add(items[:1], 0.0) == [4]  # numbering goes on after a reboot
    assert box.backfill("L1/main", 1, 2, 1.0) == 2
    again = box.pending(0, 10)
    assert [(e.seq, e.historical) for e in again] == [(3, False), (4, False), (1, True), (2, True)]
    box.close()


def test_docs_carry_the_generated_json_schema_of_the_data_payload() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "telemetry.md"
    text = docs.read_text(encoding="utf-8")
    data = json.dumps(json_schemas()["data"], indent=2, sort_keys=True)
    assert data in text, "regenerate the schemas in docs/telemetry.md (see its last section)"


@pytest.mark.parametrize("leaf", ["data", "grid", "generator", "status", "watermark"])
def test_every_payload_has_a_schema(leaf: str) -> None:
    assert json_schemas()[leaf]


def test_a_csv_drop_file_enters_the_outbox_once_and_bad_rows_are_set_aside(
    tmp_path: Path,
) -> None:
    from ingenio.telemetry.csvdrop import CsvDrop

    folder = tmp_path / "drop"
    drop = CsvDrop(folder, "acme", "P1")
    (folder / "a.csv").write_text(
        "line,meter,ts,kwh_total,kw,count,reset\n"
        "L1,main,2026-04-06T08:00:00-04:00,10.5,3,100,\n"
        "L1,main,not a time,1,1,1,\n"
        "L1,main,2026-04-06T08:01:00-04:00,0.2,3,101,true\n",
        encoding="utf-8",
    )
    box = Outbox(tmp_path / "ob.db")
    assert drop.step(box) is True
    waiting = box.pending(0, 10)
    assert [(e.topic, e.seq) for e in waiting] == [(TOPIC, 1), (TOPIC, 2)]
    second = json.loads(waiting[1].body)
    assert second["reset"] is True and second["kwh_total"] == 0.2
    assert not (folder / "a.csv").exists() and (folder / "done" / "a.csv").exists()
    assert "row 3" in (folder / "rejected" / "a.csv.txt").read_text(encoding="utf-8")
    (folder / "done" / "a.csv").replace(folder / "a.csv")  # the same file dropped again
    drop.step(box)
    assert box.count() == 2  # taken once
    box.close()


def test_a_plant_not_held_by_the_topics_account_is_quarantined() -> None:
    book = MeterBook({}, [], owns=lambda account, plant: (account, plant) == ("acme", "P1"))
    other = data_topic("rival", "P1", "L1", "main")
    grid = "ingenio/v1/acme/P9/grid"
    batch = parse(book, reading(1), topic=TOPIC)
    assert [r.meter for r in batch.readings] == [KEY] and not batch.quarantined
    batch = parse(book, reading(1), topic=other)
    assert not batch.readings and not batch.new_gaps
    [refused] = batch.quarantined
    assert refused.reason == "plant 'P1' does not belong to account 'rival'"
    batch = parse(book, {"ts": T0.isoformat(), "on": False}, topic=grid)
    assert not batch.grid
    assert [q.reason for q in batch.quarantined] == ["plant 'P9' does not belong to account 'acme'"]


def test_a_store_that_cannot_say_who_holds_a_plant_fails_the_batch_for_a_retry() -> None:
    from ingenio.telemetry.ingest import Ingester, IngestOptions, Owners, _Pending
    from ingenio.telemetry.stream import WriteResult

    calls = []

    class Sink:
        def load(self):  # type: ignore[no-untyped-def]
            return {}, []

        def write(self, batch: object) -> WriteResult:
            calls.append(batch)
            return WriteResult(1, 0)

    answers = iter([{}, OSError("the database went away"), {"acme": frozenset({"P1"})}])

    def load() -> dict[str, frozenset[str]]:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    ingester = Ingester(IngestOptions(), Sink(), owners=load)
    acked: list[object] = []
    ingester._ack = acked.extend  # type: ignore[method-assign]
    book = MeterBook({}, [], Owners(load, again_s=0.0))
    taken = [_Pending(1, 1, 0, Message(TOPIC, json.dumps(reading(1)).encode()))]
    error = ingester._write(book, taken)
    assert error is not None and "went away" in error  # not quarantined: asked again later
    assert not calls and not acked and KEY not in book.states
    assert ingester._write(book, taken) is None  # the store answers: stored, then acked
    assert [r.meter for r in calls[0].readings] == [KEY] and acked == taken
