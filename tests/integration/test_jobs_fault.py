"""Jobs that survive: a worker killed with ``kill -9`` mid-solve, a stalled claim, cancelling."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from server_world import VICTIM_NAME, portfolio_document

from ingenio.data.demo import build_demo_portfolio
from ingenio.formats.portfolio import portfolio_to_document
from ingenio.services.jobs import Worker
from ingenio.store import Store, StoreError
from ingenio.store.jobs_repo import JobRecord, finish_claimed


def _worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "ingenio.cli.main", "worker", "--db", url]
    command += ["--beat", "0.3", "--stall-after", "3"]
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _wait(store: Store, job_id: str, done: object, timeout_s: float) -> JobRecord:
    deadline = time.monotonic() + timeout_s
    while True:
        job = store.job(job_id)
        assert job is not None
        if callable(done) and done(job):
            return job
        assert time.monotonic() < deadline, f"job still {job.status} after {timeout_s} s"
        time.sleep(0.2)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


def test_kill_9_mid_solve_is_retried_to_completion_with_one_plan(
    store: Store, store_url: str, tmp_path: Path
) -> None:
    demo = build_demo_portfolio()
    pv = store.save_portfolio(demo.name, portfolio_to_document(demo), actor="test")
    params = {"portfolio_id": pv.id, "portfolio_version": pv.version, "planner": "optimise"}
    job = store.enqueue_job("default", demo.name, "plan", params | {"time_limit_s": 1.0}, "t")
    log = tmp_path / "workers.log"
    first = _worker(store_url, log)
    try:
        running = _wait(store, job.id, lambda j: j.status == "running" and j.progress > 0, 240)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    finally:
        if first.poll() is None:
            first.kill()
    assert running.attempts == 1
    killed = store.job(job.id)
    assert killed is not None and killed.status == "running" and not store.plans(demo.name)
    second = _worker(store_url, log)
    try:
        over = _wait(store, job.id, lambda j: j.status not in ("queued", "running"), 300)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(60)
        except subprocess.TimeoutExpired:
            second.kill()
    assert over.status == "succeeded", (over, log.read_text(errors="replace")[-2000:])
    assert over.attempts == 2 and over.result is not None
    plans = store.plans(demo.name)
    assert [p.id for p in plans] == [over.result["plan_id"]]
    assert "stalled" in log.read_text(errors="replace")


def test_a_stalled_claim_cannot_finish_after_takeover(store: Store) -> None:
    document = portfolio_document(VICTIM_NAME)
    pv = store.save_portfolio(VICTIM_NAME, document, actor="test")
    params = {"portfolio_id": pv.id, "portfolio_version": 1, "planner": "dispatch"}
    job = store.enqueue_job("default", VICTIM_NAME, "plan", params | {"time_limit_s": 1}, "t")
    slow = store.claim_job()
    assert slow is not None and slow.claim is not None
    assert store.requeue_stalled(timedelta(0), max_attempts=3) == [job.id]
    taker = Worker(store, beat_s=0.1, stall_after_s=60)
    assert taker.run_once()
    done = store.job(job.id)
    assert done is not None and done.status == "succeeded" and done.attempts == 2

    def late(session: object, _saved: object) -> None:
        finish_claimed(session, job.id, str(slow.claim), "succeeded", {})  # type: ignore[arg-type]

    with pytest.raises(StoreError) as caught:
        store.save_plan(pv.id, "dispatch", "feasible", 0.0, None, 0.0, {}, {}, within=late)
    assert caught.value.kind == "conflict"
    assert len(store.plans(VICTIM_NAME)) == 1


def test_a_job_that_keeps_stalling_fails(store: Store) -> None:
    pv = store.save_portfolio(VICTIM_NAME, portfolio_document(VICTIM_NAME), actor="test")
    job = store.enqueue_job("default", VICTIM_NAME, "plan", {"portfolio_id": pv.id}, "t")
    for _ in range(2):
        assert store.claim_job() is not None
        store.requeue_stalled(timedelta(0), max_attempts=2)
    failed = store.job(job.id)
    assert failed is not None and failed.status == "failed" and "stalled" in str(failed.error)


def test_cancelling_a_running_job_stops_it_without_a_plan(store: Store) -> None:
    pv = store.save_portfolio(VICTIM_NAME, portfolio_document(VICTIM_NAME), actor="test")
    params = {"portfolio_id": pv.id, "portfolio_version": 1, "planner": "dispatch"}
    job = store.enqueue_job("default", VICTIM_NAME, "plan", params | {"time_limit_s": 1}, "t")
    claimed = store.claim_job()
    assert claimed is not None and claimed.claim is not None
    store.cancel_job(job.id, "test")
    assert store.beat(job.id, claimed.claim, 0.5).cancel
    assert store.finish_job(job.id, claimed.claim, "cancelled")
    over = store.job(job.id)
    assert over is not None and over.status == "cancelled" and not store.plans(VICTIM_NAME)


def test_cancel_stops_a_running_solve_and_saves_nothing(store: Store) -> None:
    demo = build_demo_portfolio()
    pv = store.save_portfolio(demo.name, portfolio_to_document(demo), actor="test")
    params = {"portfolio_id": pv.id, "portfolio_version": pv.version, "planner": "optimise"}
    job = store.enqueue_job("default", demo.name, "plan", params | {"time_limit_s": 60.0}, "t")
    worker = Worker(store, beat_s=0.2, stall_after_s=60)
    worker.start()
    try:
        _wait(store, job.id, lambda j: j.status == "running", 120)
        store.cancel_job(job.id, "test")
        over = _wait(store, job.id, lambda j: j.status != "running", 120)
    finally:
        worker.stop()
    assert over.status == "cancelled" and over.result is None
    assert not store.plans(demo.name)
