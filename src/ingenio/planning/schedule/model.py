"""Variables and constraints of the plant-level CP-SAT model.

Private helper of :mod:`ingenio.planning.schedule`; the model is described, one
constraint family at a time, in ``docs/planning.md`` ("Plant level"). The shape
follows PyJobShop: :class:`Variables` holds every decision, :class:`Constraints`
adds one family per private method, all listed in :meth:`Constraints.add_all`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from ingenio.planning.schedule.data import PlantInput, TaskData
from ingenio.planning.schedule.energy import GenData
from ingenio.planning.schedule.storage import BatteryVars, add_variables

Lit = Any
"""A CP-SAT Boolean variable (or its negation)."""
Var = Any
"""A CP-SAT integer variable."""
Expr = Any
"""A CP-SAT linear expression, an integer variable or an int."""


@dataclass
class PieceVars:
    """One piece of a task: presence, start, duration (setup or restart included), end."""

    present: Lit | None
    start: Var
    size: Expr
    end: Expr
    interval: Any


@dataclass
class TaskVars:
    """A task: its pieces in time order, and per eligible line the literal 'runs on it'
    (None: the task's only line and always present), the intervals of its pieces on that
    line, and the literal 'pays no setup there' (None: always pays)."""

    pieces: list[PieceVars]
    on_line: dict[int, Lit | None]
    copies: dict[int, list[Any]]
    copy_present: dict[int, list[Lit | None]]
    warm: dict[int, Lit] = field(default_factory=dict)
    cold: dict[int, Lit] = field(default_factory=dict)

    @property
    def start(self) -> Var:
        """Start of the first piece."""
        return self.pieces[0].start

    @property
    def end(self) -> Expr:
        """End of the last piece (absent pieces collapse onto the last present one)."""
        return self.pieces[-1].end


@dataclass
class GenVars:
    """A generator in one slot: output ``u`` in power units (0 when off), whether it
    runs, and the fixed interval over the slot that blocks the power it does not give."""

    output: Var
    run: Lit
    interval: Any

    def burn(self, gen: GenData, minutes: int) -> Expr:
        """Modelled burn in a slot of ``minutes`` (fuel units): ``A * run + B * u``."""
        a, b = gen.coefficients(minutes)
        return a * self.run + b * self.output


class Variables:
    """Every decision of the model, built from a :class:`PlantInput`.

    Parameters
    ----------
    model
        The CP-SAT model to add the variables to.
    data
        The flat input.
    must_run
        True when every runnable order must run (makespan); then orders have no
        presence literal.
    """

    def __init__(self, model: cp_model.CpModel, data: PlantInput, must_run: bool) -> None:
        self.model = model
        self.data = data
        self.present: dict[int, Lit | None] = {}
        for i, od in enumerate(data.orders):
            if od.runnable:
                self.present[i] = None if must_run else model.new_bool_var(f"x{i}")
        self.tasks: list[TaskVars] = [self._task(t, task) for t, task in enumerate(data.tasks)]
        self.gens: dict[tuple[int, int], GenVars] = {}
        """Per ``(generator, slot)``."""
        self.starts: dict[tuple[int, int], Lit] = {}
        """Per ``(generator, slot)`` of a generator whose starts cost or take time: 1
        exactly when it runs in the slot and not in a touching slot just before
        (:mod:`.genstarts`)."""
        self.arcs: dict[int, dict[tuple[int, int], Lit]] = {}
        """Per circuit line: arc literals between node numbers (0 is the depot)."""
        self.adjacent: dict[int, dict[tuple[int, int], Lit]] = {}
        """Per ``"adjacent"`` line: per task pair ``(i, j)`` the literal 'j starts after
        i ends with nothing between' (:meth:`PlantInput.adjacent_pairs`)."""
        self.first: dict[int, Var] = {}
        """Per single-family line: the first start on the line."""
        self.late: dict[int, Var] = {}
        """Per order that may be late: minutes late."""
        self.worth: dict[int, Var] = {}
        """Per order that may be late: ``max(0, D * x - late)``."""
        self.makespan: Var | None = None
        power = data.power
        if power is not None:
            for c, (a, b) in enumerate(power.slots):
                for g, gen in enumerate(power.generators):
                    self.gens[g, c] = self._gen(g, c, a, b, gen.low, gen.high)
            for g, rule in enumerate(power.starts):
                if rule.counted:
                    for c in range(len(power.slots)):
                        self.starts[g, c] = model.new_bool_var(f"st{g}_{c}")
        self.batteries: list[BatteryVars] = []
        """Per battery of ``data.power.storage`` (state of charge planned)."""
        if power is not None and power.storage is not None:
            self.batteries = add_variables(model, power.storage)

    def _task(self, t: int, task: TaskData) -> TaskVars:
        """Pieces, line choice and setup literals of one task."""
        m, x = self.model, self.present[task.order]
        setup = task.step.setup_minutes
        modes = {ln: self.data.lines[ln].setups for ln in task.lines}
        waivable = setup > 0 and any(mode != "none" for mode in modes.values())
        pieces: list[PieceVars] = []
        if task.pieces == 1:
            s = m.new_int_var(task.est, task.lct - task.work, f"s{t}")
            if waivable:
                size: Expr = m.new_int_var(task.work, task.work + setup, f"d{t}")
                end: Expr = m.new_int_var(task.est + task.work, task.lct, f"e{t}")
                m.add(end == s + size)
            else:
                size = task.work + setup
                end = s + size
                # ``s`` alone leaves room for the work, not the setup: the end must stay
                # inside the horizon too (the validator's horizon rule).
                bound = m.add(end <= task.lct)
                if x is not None:
                    bound.only_enforce_if(x)
            pieces.append(PieceVars(x, s, size, end, _interval(m, s, size, end, x, f"i{t}")))
        else:
            top = task.work + setup + task.step.restart_minutes
            for i in range(task.pieces):
                z = x if i == 0 else m.new_bool_var(f"z{t}_{i}")
                s = m.new_int_var(task.est, task.lct, f"s{t}_{i}")
                d = m.new_int_var(0, top, f"d{t}_{i}")
                e = m.new_int_var(task.est, task.lct, f"e{t}_{i}")
                m.add(e == s + d)
                pieces.append(PieceVars(z, s, d, e, _interval(m, s, d, e, z, f"i{t}_{i}")))
        on_line: dict[int, Lit | None] = {}
        copies: dict[int, list[Any]] = {}
        copy_present: dict[int, list[Lit | None]] = {}
        if len(task.lines) == 1:
            on_line[task.lines[0]] = x
            copies[task.lines[0]] = [p.interval for p in pieces]
            copy_present[task.lines[0]] = [p.present for p in pieces]
        else:
            for ln in task.lines:
                a = m.new_bool_var(f"a{t}_{ln}")
                on_line[ln] = a
                copies[ln] = []
                copy_present[ln] = []
                for i, p in enumerate(pieces):
                    c = a if i == 0 else m.new_bool_var(f"c{t}_{ln}_{i}")
                    copy_present[ln].append(c)
                    copies[ln].append(
                        m.new_optional_interval_var(p.start, p.size, p.end, c, f"i{t}_{ln}_{i}")
                    )
        out = TaskVars(pieces, on_line, copies, copy_present)
        for ln, mode in modes.items():
            if mode == "single":
                out.cold[ln] = m.new_bool_var(f"cold{t}_{ln}")
            elif mode in ("circuit", "adjacent") and setup > 0:
                out.warm[ln] = m.new_bool_var(f"warm{t}_{ln}")
        return out

    def _gen(self, g: int, c: int, a: int, b: int, low: int, high: int) -> GenVars:
        """Output, run literal and blocker interval of generator ``g`` in slot ``[a, b)``."""
        m = self.model
        domain = cp_model.Domain.from_intervals([[0, 0], [low, high]])
        output = m.new_int_var_from_domain(domain, f"u{g}_{c}")
        run = m.new_bool_var(f"run{g}_{c}")
        interval = m.new_fixed_size_interval_var(a, b - a, f"gen{g}_{c}")
        return GenVars(output, run, interval)

    def paid(self, t: int) -> Expr:
        """1 when task ``t`` runs and pays its setup, else 0 (a linear expression)."""
        tv = self.tasks[t]
        total: Expr = 0
        for ln, lit in tv.on_line.items():
            if ln in tv.cold:
                total += tv.cold[ln]
            elif ln in tv.warm:
                total += one(lit) - tv.warm[ln]
            else:
                total += one(lit)
        return total


def one(lit: Lit | None) -> Expr:
    """A presence literal as a 0/1 expression (None means always 1)."""
    return 1 if lit is None else lit


def _interval(
    m: cp_model.CpModel, s: Expr, size: Expr, end: Expr, present: Lit | None, name: str
) -> Any:
    """An interval, optional when ``present`` is a literal."""
    if present is None:
        return m.new_interval_var(s, size, end, name)
    return m.new_optional_interval_var(s, size, end, present, name)


def enforce(ct: Any, lit: Lit | None) -> None:
    """Make a constraint conditional on ``lit`` (no-op for an always-true None)."""
    if lit is not None:
        ct.only_enforce_if(lit)
