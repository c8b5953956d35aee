"""The additive tally behind every KPI row: hours, counts, energy, value.

Private helper of :mod:`ingenio.operations.kpi`. A :class:`Tally` holds only
sums, so the tally of a plant is the sum of its lines' tallies and the tally of
a month the sum of its days'; every ratio is a property computed from the sums.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass

LOSS_CAUSES: tuple[str, ...] = ("grid", "generator", "fuel", "breakdown", "material", "labour")
"""Availability-loss categories, in the order that breaks ties between overlapping stops."""


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 1e-12 else None


@dataclass(frozen=True)
class Tally:
    """Sums for one line, plant or enterprise over one bucket (hours unless named).

    Attributes
    ----------
    shift_h, stop_h
        Shift time and planned stops inside it.
    grid_h, generator_h, fuel_h, breakdown_h, material_h, labour_h
        Unplanned downtime inside planned production time, by loss category.
    ideal_h, good_ideal_h
        Ideal time of all units made and of the good ones (count / rate).
    good, scrap
        Units recorded (mixed products add up at plant level: read per line).
    value
        Finished good units × the order's value per unit.
    kwh, litres
        Metered energy and the generator fuel allotted (see the kpi module).
    planned_kwh, planned_qty, planned_value
        What the plan expected in the same bucket.
    orders_due, orders_on_time
        Orders due in the bucket and how many of them were complete by then
        (plant and enterprise rows only).
    """

    shift_h: float = 0.0
    stop_h: float = 0.0
    grid_h: float = 0.0
    generator_h: float = 0.0
    fuel_h: float = 0.0
    breakdown_h: float = 0.0
    material_h: float = 0.0
    labour_h: float = 0.0
    ideal_h: float = 0.0
    good_ideal_h: float = 0.0
    good: float = 0.0
    scrap: float = 0.0
    value: float = 0.0
    kwh: float = 0.0
    litres: float = 0.0
    planned_kwh: float = 0.0
    planned_qty: float = 0.0
    planned_value: float = 0.0
    orders_due: float = 0.0
    orders_on_time: float = 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def losses_h(self) -> dict[str, float]:
        """Hours lost per category of :data:`LOSS_CAUSES`."""
        return {c: float(getattr(self, f"{c}_h")) for c in LOSS_CAUSES}

    @property
    def loss_shares(self) -> dict[str, float | None]:
        """Share of planned production time lost per category (``A = 1 - Σ shares``)."""
        return {c: _ratio(h, self.planned_h) for c, h in self.losses_h.items()}

    @property
    def planned_h(self) -> float:
        """Planned production time: shift time minus planned stops."""
        return self.shift_h - self.stop_h

    @property
    def downtime_h(self) -> float:
        """Unplanned downtime inside planned production time."""
        return sum(self.losses_h.values())

    @property
    def run_h(self) -> float:
        """Run time: planned production time minus unplanned downtime."""
        return self.planned_h - self.downtime_h

    @property
    def availability(self) -> float | None:
        """Run time / planned production time."""
        return _ratio(self.run_h, self.planned_h)

    @property
    def performance(self) -> float | None:
        """Ideal time of all units / run time (above 1 when the line beats its rate)."""
        return _ratio(self.ideal_h, self.run_h)

    @property
    def quality(self) -> float | None:
        """Ideal time of good units / ideal time of all units (good / total for one product)."""
        return _ratio(self.good_ideal_h, self.ideal_h)

    @property
    def oee(self) -> float | None:
        """Availability × performance × quality = good ideal time / planned production time."""
        return _ratio(self.good_ideal_h, self.planned_h)

    @property
    def kwh_per_unit(self) -> float | None:
        """Metered kWh per good unit (None without metered energy: no meter)."""
        return _ratio(self.kwh, self.good) if self.kwh > 0 else None

    @property
    def litres_per_unit(self) -> float | None:
        """Generator litres per good unit."""
        return _ratio(self.litres, self.good)

    @property
    def adherence(self) -> float | None:
        """Good units made / units the plan expected."""
        return _ratio(self.good, self.planned_qty)

    @property
    def on_time_share(self) -> float | None:
        """Orders complete by their due date / orders due."""
        return _ratio(self.orders_on_time, self.orders_due)
