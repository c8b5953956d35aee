"""Constraint families of the plant-level CP-SAT model, one private method each.

Private helper of :mod:`ingenio.planning.schedule`. ``docs/planning.md`` gives
every family in words and as inequalities; the method docstrings repeat them.
Notation: a task is one step of one order; ``x`` the order's presence; piece
``i`` of a task has presence ``z_i``, start ``s_i``, duration ``d_i`` and end
``e_i = s_i + d_i``; ``p`` is 1 when the task pays its setup.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from ingenio.planning.schedule.data import PlantInput
from ingenio.planning.schedule.genstarts import charged
from ingenio.planning.schedule.model import Lit, TaskVars, Variables, enforce, one
from ingenio.planning.schedule.storage import add_state_of_charge, power_terms


class Constraints:
    """Adds every constraint family of the model (:meth:`add_all`)."""

    def __init__(self, model: cp_model.CpModel, data: PlantInput, variables: Variables) -> None:
        self.model = model
        self.data = data
        self.v = variables

    def add_all(self) -> None:
        """Add the constraint families, in a fixed order."""
        self._pieces()
        self._line_choice()
        self._routing()
        self._predecessors()
        self._lines_and_shifts()
        self._family_setups()
        self._resources()
        self._power()
        self._generators()
        self._fuel()
        self._batteries()

    def _pieces(self) -> None:
        """Pieces of a task: all or nothing with the order, in time order, adding up.

        ``z_0 = x`` (one presence literal per order, shared by the first piece of
        every step, so an order runs all its steps or none); ``z_i => z_(i-1)``;
        ``s_i >= e_(i-1)``; an absent piece has ``d_i = 0`` and sits at
        ``s_i = e_(i-1)``, so ``e_last`` is the task's completion; a present piece
        lasts at least its overhead plus one minute; and when the order runs,
        ``sum_i d_i = work + setup * p + restart * sum_(i>=1) z_i``.
        """
        m = self.model
        for t, task in enumerate(self.data.tasks):
            tv = self.v.tasks[t]
            x = self.v.present[task.order]
            setup, restart = task.step.setup_minutes, task.step.restart_minutes
            paid = self.v.paid(t)
            pieces = tv.pieces
            if len(pieces) == 1:
                if not isinstance(pieces[0].size, int):
                    enforce(m.add(pieces[0].size == task.work + setup * paid), x)
                continue
            for i in range(1, len(pieces)):
                z, prev = pieces[i].present, pieces[i - 1]
                assert z is not None  # later pieces always have a presence literal
                if prev.present is not None:
                    m.add_implication(z, prev.present)
                m.add(pieces[i].start >= prev.end)
                enforce(m.add(pieces[i].start == prev.end), z.Not())
                enforce(m.add(pieces[i].size == 0), z.Not())
                enforce(m.add(pieces[i].size >= restart + 1), z)
            enforce(m.add(pieces[0].size - setup * paid >= 1), x)
            restarts = sum(one(p.present) for p in pieces[1:])
            total = sum(p.size for p in pieces)
            enforce(m.add(total == task.work + setup * paid + restart * restarts), x)
            if x is not None:
                m.add(pieces[0].size == 0).only_enforce_if(x.Not())

    def _line_choice(self) -> None:
        """Each present task runs on exactly one eligible line, all its pieces there.

        ``sum_l a_l = x``; for a later piece ``i``, ``sum_l c_(l,i) = z_i`` and
        ``c_(l,i) => a_l``; a setup literal on a line implies the task runs there.
        """
        m = self.model
        for t, task in enumerate(self.data.tasks):
            tv = self.v.tasks[t]
            x = self.v.present[task.order]
            if len(task.lines) > 1:
                m.add(sum(one(a) for a in tv.on_line.values()) == one(x))
                for i in range(1, len(tv.pieces)):
                    lits = [tv.copy_present[ln][i] for ln in task.lines]
                    m.add(sum(one(c) for c in lits) == one(tv.pieces[i].present))
                    for ln, c in zip(task.lines, lits, strict=True):
                        on = tv.on_line[ln]
                        if c is not None and on is not None:
                            m.add_implication(c, on)
            for ln, lit in (*tv.warm.items(), *tv.cold.items()):
                on = tv.on_line[ln]
                if on is not None:
                    m.add_implication(lit, on)

    def _routing(self) -> None:
        """Steps of an order in routing order: ``x_o => s_0(k+1) >= e_last(k)``.

        Only when the order runs: a step that must pay its setup may not fit the window
        its release and due date leave, and an absent order must not make the model
        infeasible (a warm start that leaves it out is still a solution)."""
        for i, od in enumerate(self.data.orders):
            x = self.v.present.get(i)
            for a, b in zip(od.tasks, od.tasks[1:], strict=False):
                enforce(self.model.add(self.v.tasks[b].start >= self.v.tasks[a].end), x)

    def _predecessors(self) -> None:
        """An order runs only after its predecessor orders are complete.

        ``x_j => x_i`` and ``x_j => s_0(first step of j) >= e_last(last step of i)``.
        """
        m = self.model
        for j, od in enumerate(self.data.orders):
            if not od.runnable:
                continue
            xj = self.v.present[j]
            for i in od.preds:
                xi = self.v.present[i]
                if xj is not None and xi is not None:
                    m.add_implication(xj, xi)
                first = self.v.tasks[od.tasks[0]]
                last = self.v.tasks[self.data.orders[i].tasks[-1]]
                enforce(m.add(first.start >= last.end), xj)

    def _lines_and_shifts(self) -> None:
        """No line runs two pieces at once, nor outside its shifts.

        One ``NoOverlap`` per line over the pieces that may run on it plus fixed
        intervals over the gaps between its (merged) shift windows, so every
        present piece lies inside one shift window.
        """
        m = self.model
        for ln, line in enumerate(self.data.lines):
            ivs: list[Any] = []
            for t in self.data.line_tasks(ln):
                ivs.extend(self.v.tasks[t].copies[ln])
            if not ivs or (len(ivs) == 1 and not line.gaps):
                continue
            for a, b in line.gaps:
                ivs.append(m.new_fixed_size_interval_var(a, b - a, f"gap{ln}_{a}"))
            if line.setups == "adjacent":
                ivs.extend(self._adjacent(ln))
            m.add_no_overlap(ivs)

    def _adjacent(self, ln: int) -> list[Any]:
        """``"adjacent"`` line: ``j`` is warm only with a literal ``y_ij`` for a candidate
        ``i`` of its family, ``y_ij => e_last(i) <= s_0(j)``, both on the line, and an
        optional interval ``[e_last(i), s_0(j))`` present with ``y_ij`` joins the line's
        ``NoOverlap``: no operation lies between them, so the validator's operation just
        before ``j`` is ``i``'s last (never looser than the validator). Returns those
        intervals."""
        m, v = self.model, self.v
        lits: dict[tuple[int, int], Lit] = {}
        into: dict[int, list[Lit]] = {}
        out_of: dict[int, list[Lit]] = {}
        ivs: list[Any] = []
        for i, j in self.data.adjacent_pairs(ln):
            ti, tj = v.tasks[i], v.tasks[j]
            if ln not in tj.warm:
                continue
            y = m.new_bool_var(f"adj{ln}_{i}_{j}")
            for lit in (ti.on_line[ln], tj.on_line[ln]):
                if lit is not None:
                    m.add_implication(y, lit)
            size = m.new_int_var(0, self.data.horizon, f"adjd{ln}_{i}_{j}")
            m.add(ti.end + size == tj.start).only_enforce_if(y)
            ivs.append(m.new_optional_interval_var(ti.end, size, tj.start, y, f"adj{ln}_{i}_{j}"))
            lits[i, j] = y
            into.setdefault(j, []).append(y)
            out_of.setdefault(i, []).append(y)
        for ys in (*into.values(), *out_of.values()):
            if len(ys) > 1:
                m.add_at_most_one(ys)
        for t in self.data.line_tasks(ln):
            warm = v.tasks[t].warm.get(ln)
            if warm is not None:
                m.add(sum(into.get(t, [])) >= warm)
        v.adjacent[ln] = lits
        return ivs

    def _family_setups(self) -> None:
        """Setups by product family: waived after a step of the same family on the line.

        ``"single"`` lines (one family): the first step on the line pays, no other:
        with ``F`` the first start, ``on => s_0 >= F``, ``cold => s_0 <= F``,
        ``sum cold <= 1`` and ``sum cold >= on_j`` for every step ``j``.
        ``"circuit"`` lines: an ``AddCircuit`` over the steps that may run there
        orders them; arc ``i -> j`` implies ``e_last(i) <= s_0(j)``, and a step is
        warm only if its predecessor arc comes from a step of the same family.
        """
        for ln, line in enumerate(self.data.lines):
            if line.setups == "single":
                self._single_family(ln)
            elif line.setups == "circuit":
                self._circuit(ln)

    def _single_family(self, ln: int) -> None:
        m = self.model
        nodes = [self.v.tasks[t] for t in self.data.line_tasks(ln)]
        first = m.new_int_var(0, self.data.horizon, f"first{ln}")
        self.v.first[ln] = first
        for tv in nodes:
            on, cold = tv.on_line[ln], tv.cold[ln]
            enforce(m.add(tv.start >= first), on)
            m.add(tv.start <= first).only_enforce_if(cold)
        m.add(sum(tv.cold[ln] for tv in nodes) <= 1)
        for tv in nodes:
            on = tv.on_line[ln]
            m.add(sum(n.cold[ln] for n in nodes) >= (1 if on is None else on))

    def _circuit(self, ln: int) -> None:
        m = self.model
        ids = self.data.line_tasks(ln)
        tasks = self.data.tasks
        nodes: list[TaskVars] = [self.v.tasks[t] for t in ids]
        arcs: list[tuple[int, int, Lit]] = []
        depot = m.new_bool_var(f"empty{ln}")
        arcs.append((0, 0, depot))
        into: dict[int, list[Lit]] = {j: [] for j in range(len(ids))}
        for i, (t, tv) in enumerate(zip(ids, nodes, strict=True)):
            on = tv.on_line[ln]
            if on is not None:
                arcs.append((i + 1, i + 1, on.Not()))
                m.add_implication(depot, on.Not())
            else:
                m.add(depot == 0)
            arcs.append((0, i + 1, m.new_bool_var(f"arc{ln}_0_{i}")))
            arcs.append((i + 1, 0, m.new_bool_var(f"arc{ln}_{i}_0")))
            for j, (u, uv) in enumerate(zip(ids, nodes, strict=True)):
                if u == t or tasks[t].est + tasks[t].work > tasks[u].lct - tasks[u].work:
                    continue
                arc = m.new_bool_var(f"arc{ln}_{i}_{j}")
                arcs.append((i + 1, j + 1, arc))
                m.add(tv.end <= uv.start).only_enforce_if(arc)
                if tasks[t].family == tasks[u].family:
                    into[j].append(arc)
        m.add_circuit(arcs)
        self.v.arcs[ln] = {(i, j): lit for i, j, lit in arcs}
        for j, tv in enumerate(nodes):
            warm = tv.warm.get(ln)
            if warm is not None:
                m.add(sum(into[j]) >= warm)

    def _resources(self) -> None:
        """Shared resources: ``sum of units held by running pieces <= capacity(t)``.

        One ``AddCumulative`` per resource at its highest capacity, with fixed
        blocker intervals holding ``top - capacity(t)`` where the capacity drops.
        """
        m = self.model
        for r, res in enumerate(self.data.resources):
            ivs: list[Any] = []
            demands: list[int] = []
            for t, task in enumerate(self.data.tasks):
                for rr, units in task.resources:
                    if rr == r:
                        ivs.extend(p.interval for p in self.v.tasks[t].pieces)
                        demands.extend([units] * len(self.v.tasks[t].pieces))
            for a, b, units in res.blockers:
                ivs.append(m.new_fixed_size_interval_var(a, b - a, f"rb{r}_{a}"))
                demands.append(units)
            m.add_cumulative(ivs, demands, res.capacity)

    def _power(self) -> None:
        """Power: ``load(t) <= grid(t) + solar(t) + sum_g output_g(t)`` at every minute.

        One ``AddCumulative`` at constant capacity ``C``: fixed blockers take away
        ``C - base(t)`` (and the generators' full rating outside the slots where
        they may run); in slot ``s`` generator ``g`` blocks ``high_g - u_gs`` with a
        fixed interval over the slot whose demand is that affine expression, so it
        gives ``u_gs`` power units during the slot.
        """
        power = self.data.power
        if power is None:
            return
        m = self.model
        ivs: list[Any] = []
        demands: list[Any] = []
        for t, task in enumerate(self.data.tasks):
            if task.power > 0:
                for p in self.v.tasks[t].pieces:
                    ivs.append(p.interval)
                    demands.append(task.power)
        for a, b, units in power.blockers:
            ivs.append(m.new_fixed_size_interval_var(a, b - a, f"pb{a}"))
            demands.append(units)
        for (g, _), gv in self.v.gens.items():
            ivs.append(gv.interval)
            demands.append(power.generators[g].high - gv.output)
        if power.storage is not None:
            more_ivs, more_demands = power_terms(m, power.storage, self.v.batteries)
            ivs += more_ivs
            demands += more_demands
        if any(task.power > 0 for task in self.data.tasks):
            m.add_cumulative(ivs, demands, power.capacity)

    def _generators(self) -> None:
        """A generator runs at or above its minimum load, or not at all, in each slot.

        ``low * run <= u <= high * run``: ``run`` is 1 exactly when ``u > 0``. A
        generator is off in slots that begin before its first warm-up can end
        (``start_minutes`` after the origin, rule ``generator-start``). Where starts
        cost fuel or take time, ``st`` (a start: it runs, and not in the touching slot
        just before) is exact, and a start forces its minimum run on the slots after it
        and the slots ending less than ``start_minutes`` before it off
        (:mod:`.genstarts`), so that the plan builder can give each block of running
        slots one stretch inside it that keeps ``generator-start`` and
        ``generator-run``.
        """
        m = self.model
        power = self.data.power
        if power is None:
            return
        for (g, c), gv in self.v.gens.items():
            m.add(gv.output <= power.generators[g].high * gv.run)
            m.add(gv.output >= power.generators[g].low * gv.run)
            if not power.starts[g].allowed[c]:
                m.add(gv.run == 0)
        for (g, c), st in self.v.starts.items():
            rule, run = power.starts[g], self.v.gens[g, c].run
            m.add_implication(st, run)
            p = rule.prev[c]
            if p is None:
                m.add_implication(run, st)
            else:
                before = self.v.gens[g, p].run
                m.add_bool_or([st, run.Not(), before])
                m.add_implication(st, before.Not())
            need = rule.need[c]
            if need is None:
                m.add(st == 0)
                continue
            for y in need:
                m.add_implication(st, self.v.gens[g, y].run)
            for x in rule.clear[c]:
                m.add_implication(st, self.v.gens[g, x].run.Not())

    def _fuel(self) -> None:
        """The tank never goes below its reserve (model burn is an over-estimate).

        At each checkpoint (just before a delivery, and at the horizon end):
        ``sum over earlier slots s and generators g of (A_gs * run_gs + B_gs * u_gs)
        + sum of S_g * st_gs over the starts whose crank may come before the checkpoint
        <= stock + deliveries so far - reserve`` (in microlitres), where ``A`` and
        ``B`` are the litres per running slot and per power unit and ``S`` the litres
        of a start and its warm-up, rounded up. The plan builder burns no more: its
        runs stay inside the running slots at no more than the output charged, with
        one stretch (one start) per block of running slots (``plan.py``).
        """
        power = self.data.power
        if power is None:
            return
        gens = power.generators
        for (n, rhs), at in zip(power.checkpoints, power.checkpoint_at, strict=True):
            burn = [
                gv.burn(gens[g], power.slots[c][1] - power.slots[c][0])
                for (g, c), gv in self.v.gens.items()
                if c < n
            ]
            burn += [
                power.starts[g].cost * st
                for (g, c), st in self.v.starts.items()
                if power.starts[g].cost > 0 and charged(power.slots, power.starts[g], c, n, at)
            ]
            if burn:
                self.model.add(sum(burn) <= rhs)

    def _batteries(self) -> None:
        """State of charge of each battery (:mod:`.storage`): per slot
        ``S_k = S_(k-1) + g_k - L_k * d_k`` within ``[lo, capacity]``, ``Q * g_k <=
        floor(efficiency * Q) * L_k * c_k``; discharge only in outage slots, charge only
        in grid-on slots (where no generator may run, unless the battery may charge
        from generators). Their power terms are in :meth:`_power`."""
        power = self.data.power
        if power is not None and power.storage is not None:
            add_state_of_charge(self.model, power.storage, self.v.batteries)
