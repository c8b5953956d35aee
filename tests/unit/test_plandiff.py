"""Comparing two plans order by order: moved, became late, dropped, recovered, added, removed."""

from __future__ import annotations

from ingenio.domain import Operation, OrderOutcome, OrderStatus, Plan
from ingenio.operations.plandiff import Change, diff_plans, placements

ON, LATE, OFF = OrderStatus.ON_TIME, OrderStatus.LATE, OrderStatus.UNSCHEDULED


def plan(
    ops: list[tuple[str, str, int, int]],
    outcomes: list[tuple[str, OrderStatus, str]],
    planner: str = "dispatch",
) -> Plan:
    """Operations ``(order, line, start, end)``; outcomes ``(order, status, reason)``."""
    operations = tuple(Operation(o, 0, line, s, e, 10.0) for o, line, s, e in ops)
    ends = {o: e for o, _, _, e in ops}
    result = tuple(
        OrderOutcome(
            o,
            status,
            None if status is OFF else ends.get(o),
            60 if status is LATE else 0,
            {ON: 100.0, LATE: 90.0, OFF: 0.0}[status],
            reason,
        )
        for o, status, reason in outcomes
    )
    return Plan(planner, operations, (), (), result)


OLD = plan(
    [("A", "L1", 0, 60), ("A", "L2", 60, 90), ("B", "L1", 60, 120), ("C", "L2", 0, 30),
     ("D", "L3", 0, 30), ("F", "L3", 100, 200)],
    [("A", ON, ""), ("B", ON, ""), ("C", ON, ""), ("D", LATE, "line L3 busy"),
     ("E", OFF, "no power before due"), ("F", LATE, "waits for fuel"), ("G", ON, "")],
)  # fmt: skip


def test_same_plan_changes_nothing() -> None:
    diff = diff_plans(OLD, OLD)
    assert diff.changes == ()
    assert diff.unchanged == 7
    assert diff.value_change == 0.0
    assert set(diff.counts().values()) == {0}


def test_every_kind_of_change_with_its_reason() -> None:
    new = plan(
        [("A", "L1", 30, 90), ("A", "L2", 90, 120), ("B", "L2", 60, 120), ("C", "L2", 0, 30),
         ("E", "L1", 200, 260), ("F", "L3", 100, 200), ("H", "L1", 0, 10)],
        [("A", ON, ""), ("B", LATE, "line L1 down for repair"), ("C", ON, ""),
         ("D", OFF, "no fuel after the tanker slipped"), ("E", ON, ""), ("F", ON, ""),
         ("H", ON, "")],
    )  # fmt: skip
    diff = diff_plans(OLD, new)

    kinds = {c.order_id: c.changes for c in diff.changes}
    assert kinds == {
        "A": (Change.MOVED,),
        "B": (Change.MOVED, Change.BECAME_LATE),
        "D": (Change.DROPPED,),
        "E": (Change.RECOVERED,),
        "F": (Change.RECOVERED,),
        "G": (Change.REMOVED,),
        "H": (Change.ADDED,),
    }
    assert diff.unchanged == 1  # C
    by_id = {c.order_id: c for c in diff.changes}
    a, b, d, e, f = (by_id[k] for k in "ABDEF")
    assert a.start_shift == 30 and not a.lines_changed
    assert b.start_shift == 0 and b.lines_changed
    assert b.old is not None and b.new is not None
    assert (b.old.lines, b.new.lines) == (("L1",), ("L2",))
    assert b.reason == "line L1 down for repair"
    assert d.reason == "no fuel after the tanker slipped" and d.start_shift is None
    assert e.reason == "no power before due"  # the old reason, when the new plan gives none
    assert e.new is not None and e.new.start == 200
    assert f.old is not None and f.old.status is LATE
    assert [c.order_id for c in diff.of(Change.RECOVERED)] == ["E", "F"]
    assert diff.counts()[Change.MOVED] == 2
    assert diff.value_change == new.value - OLD.value


def test_unscheduled_to_late_is_recovered_and_on_time_to_unscheduled_is_dropped() -> None:
    old = plan([("A", "L1", 0, 10)], [("A", ON, ""), ("B", OFF, "no line")])
    new = plan([("B", "L1", 0, 10)], [("A", OFF, "no power"), ("B", LATE, "after the due")])
    kinds = {c.order_id: c.changes for c in diff_plans(old, new).changes}
    assert kinds == {"A": (Change.DROPPED,), "B": (Change.RECOVERED,)}


def test_plans_on_different_origins_are_compared_on_one_clock() -> None:
    # The old plan's horizon starts a day later than the new one's: its minute 0 is
    # the new plan's minute 1440.
    old = plan([("A", "L1", 0, 60)], [("A", ON, "")])
    same = plan([("A", "L1", 1440, 1500)], [("A", ON, "")])
    assert diff_plans(old, same, old_offset=1440).changes == ()
    (moved,) = diff_plans(old, same).changes
    assert moved.changes == (Change.MOVED,) and moved.start_shift == 1440
    assert placements(old, 1440)["A"].completion == 1500
