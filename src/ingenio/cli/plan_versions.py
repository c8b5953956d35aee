"""``ingenio plans list`` and ``ingenio plans diff``: saved plan versions and what changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated

import typer
from rich.table import Table

from ingenio.cli.consoles import make_console
from ingenio.cli.errors import context_of
from ingenio.cli.guard import guarded
from ingenio.cli.lang import N_, _, clock, num, pct, service_text, signed, word
from ingenio.cli.tables import fitted_table
from ingenio.domain import Portfolio
from ingenio.services.plans import (
    Change,
    OrderChange,
    Placement,
    PlanDiff,
    PlanVersion,
    diff_plans,
    list_plans,
)

console = make_console(markup=False)

plans = typer.Typer(help="Saved plan versions: list them, compare two.", no_args_is_help=True)


@plans.command("list")
def plans_list(
    ctx: typer.Context,
    portfolio: Annotated[
        str | None, typer.Option("--portfolio", help="Only this portfolio's plans.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON list (for scripts).")
    ] = False,
) -> None:
    """List saved plans: id, version, planner, status, value, bound, created."""

    def work() -> None:
        found = list_plans(context_of(ctx), portfolio)
        if as_json:
            typer.echo(json.dumps([_plan_json(p) for p in found], ensure_ascii=False))
            return
        if not found:
            console.print(
                _("no plans saved for %(name)s", name=repr(portfolio))
                if portfolio
                else _("no plans saved")
            )
            return
        names = sorted({p.portfolio_name for p in found})
        for name in names:
            rows = [
                [
                    str(p.id),
                    f"v{p.version}",
                    f"v{p.portfolio_version}",
                    p.planner,
                    word(p.status),
                    num(p.value),
                    "" if p.bound is None else num(p.bound),
                    _gap(p),
                    clock(p.created_at),
                ]
                for p in found
                if p.portfolio_name == name
            ]
            heads = [_("id"), _("plan"), _("portfolio"), _("planner"), _("status"), _("value"),
                     _("bound"), _("gap"), _("created UTC")]  # fmt: skip
            wrap = (heads[3], heads[4], heads[8])
            right = (heads[0], heads[5], heads[6], heads[7])
            if all(row[6] == "" for row in rows):  # no bounds: no bound nor gap column
                heads = heads[:6] + heads[8:]
                rows = [row[:6] + row[8:] for row in rows]
            title = _("plans of %(name)s", name=name)
            console.print(fitted_table(title, heads, rows, wrap=wrap, right=right))

    guarded(ctx, work)


def _plan_json(p: PlanVersion) -> dict[str, object]:
    """One saved plan as plain JSON data."""
    return {
        "id": p.id,
        "portfolio": p.portfolio_name,
        "version": p.version,
        "portfolio_version": p.portfolio_version,
        "planner": p.planner,
        "status": p.status,
        "value": p.value,
        "bound": p.bound,
        "created_at": p.created_at.isoformat(),
    }


def _gap(p: PlanVersion) -> str:
    """How far the value is below the bound, in per cent of the bound."""
    if p.bound is None or p.bound <= 0:
        return ""
    return pct(max(0.0, p.bound - p.value) / p.bound, 1)


@plans.command("diff")
def plans_diff(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="Id of the earlier plan (see `plans list`).")],
    new: Annotated[int, typer.Argument(help="Id of the later plan.")],
) -> None:
    """Which orders moved, became late, were dropped or recovered between two plans, and why."""

    def work() -> None:
        got = diff_plans(context_of(ctx), old, new)
        old_v, new_v, new_p, diff = got.old.version, got.new.version, got.new.portfolio, got.diff
        for line in (
            _("plan %(old)s (%(old_label)s) -> plan %(new)s (%(new_label)s)", old=old,
              old_label=_label(old_v), new=new, new_label=_label(new_v)),
            _("value %(old)s -> %(new)s (%(change)s %(currency)s)", old=num(diff.old_value),
              new=num(diff.new_value), change=signed(diff.value_change),
              currency=new_p.currency),
            _("%(changed)s order(s) changed, %(unchanged)s unchanged",
              changed=len(diff.changes), unchanged=diff.unchanged),
        ):  # fmt: skip
            console.print(line, highlight=False, soft_wrap=True)
        if diff.changes:
            for table in diff_tables(diff, new_p):
                console.print(table)
            counts = ", ".join(f"{n} {word(k.value)}" for k, n in diff.counts().items())
            console.print(counts, style="dim")

    guarded(ctx, work)


def _label(v: PlanVersion) -> str:
    return _("%(portfolio)s plan v%(version)s, %(planner)s", portfolio=repr(v.portfolio_name),
             version=v.version, planner=v.planner)  # fmt: skip


def diff_tables(diff: PlanDiff, portfolio: Portfolio) -> list[Table]:
    """One table per kind of change, worst first; times local to ``portfolio``.

    An order that both moved and became late appears in both tables.
    """

    def when(p: Placement) -> str:
        return _when(portfolio, p.start)

    def done(p: Placement) -> str:
        return _when(portfolio, p.completion)

    def status(p: Placement) -> str:
        return word(p.status.value)

    def lines(p: Placement) -> str:
        return " ".join(p.lines) or "-"

    def reason(c: OrderChange, old: bool = False) -> str:
        placement = c.old if old else c.new
        if placement is None or not placement.reason:
            return "-"
        return service_text(placement.reason)

    specs: list[tuple[Change, str, list[str], Callable[[OrderChange], list[str]]]] = [
        (
            Change.DROPPED,
            N_("dropped: unscheduled now"),
            [N_("order"), N_("was"), N_("start was"), N_("why now")],
            lambda c: [c.order_id, _both(c, status, old=True), _both(c, when, old=True),
                       reason(c)],
        ),
        (
            Change.BECAME_LATE,
            N_("became late"),
            [N_("order"), N_("completion"), N_("late by"), N_("why")],
            lambda c: [c.order_id, _both(c, done), _late(c), reason(c)],
        ),
        (
            Change.RECOVERED,
            N_("recovered"),
            [N_("order"), N_("status"), N_("completion"), N_("why it was behind")],
            lambda c: [c.order_id, _both(c, status), _both(c, done), reason(c, old=True)],
        ),
        (
            Change.MOVED,
            N_("moved: start shifted or lines changed"),
            [N_("order"), N_("start"), N_("shift"), N_("lines")],
            lambda c: [c.order_id, _both(c, when), _shift(c), _both(c, lines)],
        ),
        (
            Change.ADDED,
            N_("added: only in the new plan"),
            [N_("order"), N_("status"), N_("start")],
            lambda c: [c.order_id, _both(c, status), _both(c, when)],
        ),
        (
            Change.REMOVED,
            N_("removed: only in the old plan"),
            [N_("order"), N_("status"), N_("start")],
            lambda c: [c.order_id, _both(c, status, old=True), _both(c, when, old=True)],
        ),
    ]  # fmt: skip
    tables = []
    for change, title, heads, row in specs:
        found = diff.of(change)
        if found:
            rows = [row(c) for c in found]
            wrap = [_(h) for h in heads if h not in ("order", "shift", "late by")]
            right = (_("shift"), _("late by"))
            shown = [_(h) for h in heads]
            tables.append(fitted_table(f"{_(title)} ({len(found)})", shown, rows, wrap, right))
    return tables


def _late(c: OrderChange) -> str:
    minutes = 0 if c.new is None else c.new.lateness_minutes
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}"


def _both(c: OrderChange, show: Callable[[Placement], str], old: bool = False) -> str:
    """``old -> new`` of a shown value, one value when equal (``old``: the old one only)."""
    before = "" if c.old is None else show(c.old)
    after = "" if c.new is None else show(c.new)
    if old or c.new is None or before == after:
        return before
    if c.old is None:
        return after
    return f"{before} -> {after}"


def _when(portfolio: Portfolio, minute: int | None) -> str:
    if minute is None:
        return "-"
    return clock(portfolio.horizon.to_datetime(minute), "MM-dd HH:mm")


def _shift(c: OrderChange) -> str:
    shift = c.start_shift
    if not shift:
        return ""
    hours, minutes = divmod(abs(shift), 60)
    return f"{'+' if shift > 0 else '-'}{hours}h{minutes:02d}"


def register(app: typer.Typer) -> None:
    """Add the ``plans`` group to ``app``."""
    app.add_typer(plans, name="plans")
