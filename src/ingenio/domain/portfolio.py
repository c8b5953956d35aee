"""The portfolio: everything one planner manages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ingenio.domain.plant import Battery, Block, Enterprise, Generator, Line, Plant, Resource
from ingenio.domain.product import Order, Product
from ingenio.domain.time import Horizon, Window


@dataclass(frozen=True)
class Depot:
    """A fuel depot that supplies plants by truck."""

    id: str
    name: str
    stock_l: float

    def __post_init__(self) -> None:
        if self.stock_l < 0:
            raise ValueError(f"depot {self.id}: stock must not be negative")


@dataclass(frozen=True)
class FuelDelivery:
    """A tanker or truck: litres arriving at a depot or a plant.

    Plans use ``expected``; ``earliest`` and ``latest`` bound the uncertainty.
    ``destination`` is a depot id or a plant id.
    """

    id: str
    litres: float
    expected: int
    earliest: int
    latest: int
    destination: str

    def __post_init__(self) -> None:
        if self.litres <= 0:
            raise ValueError(f"delivery {self.id}: litres must be positive")
        if not self.earliest <= self.expected <= self.latest:
            raise ValueError(f"delivery {self.id}: need earliest <= expected <= latest")


@dataclass(frozen=True)
class Portfolio:
    """All that one planner manages; immutable, validated, free of IO.

    ``late_decay_per_day`` is the share of an order's value lost for each day it
    is late (0.1 = a day late earns 90 %, ten days late earns nothing).
    """

    name: str
    horizon: Horizon
    enterprises: tuple[Enterprise, ...]
    plants: tuple[Plant, ...]
    blocks: tuple[Block, ...]
    products: tuple[Product, ...]
    orders: tuple[Order, ...]
    depots: tuple[Depot, ...] = ()
    deliveries: tuple[FuelDelivery, ...] = ()
    late_decay_per_day: float = 0.1
    currency: str = "USD"
    _index: Mapping[str, Mapping[str, object]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, dict[str, object]] = {
            "plant": {p.id: p for p in self.plants},
            "block": {b.id: b for b in self.blocks},
            "product": {p.id: p for p in self.products},
            "order": {o.id: o for o in self.orders},
            "depot": {d.id: d for d in self.depots},
            "line": {ln.id: ln for p in self.plants for ln in p.lines},
            "generator": {g.id: g for p in self.plants for g in p.generators},
            "resource": {r.id: r for p in self.plants for r in p.resources},
            "battery": {b.id: b for p in self.plants for b in p.batteries},
            "enterprise": {e.id: e for e in self.enterprises},
        }
        object.__setattr__(self, "_index", index)
        problems = _reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))

    def plant(self, plant_id: str) -> Plant:
        """The plant with this id."""
        return self._index["plant"][plant_id]  # type: ignore[return-value]

    def block(self, block_id: str) -> Block:
        """The outage block with this id."""
        return self._index["block"][block_id]  # type: ignore[return-value]

    def product(self, product_id: str) -> Product:
        """The product with this id."""
        return self._index["product"][product_id]  # type: ignore[return-value]

    def order(self, order_id: str) -> Order:
        """The order with this id."""
        return self._index["order"][order_id]  # type: ignore[return-value]

    def line(self, line_id: str) -> Line:
        """The line with this id, whatever its plant."""
        return self._index["line"][line_id]  # type: ignore[return-value]

    def generator(self, generator_id: str) -> Generator:
        """The generator with this id, whatever its plant."""
        return self._index["generator"][generator_id]  # type: ignore[return-value]

    def battery(self, battery_id: str) -> Battery:
        """The battery with this id, whatever its plant."""
        return self._index["battery"][battery_id]  # type: ignore[return-value]

    def resource(self, resource_id: str) -> Resource:
        """The shared resource with this id, whatever its plant."""
        return self._index["resource"][resource_id]  # type: ignore[return-value]

    def has(self, kind: str, key: str) -> bool:
        """True when an object of ``kind`` ('plant', 'line', ...) has id ``key``."""
        return key in self._index[kind]

    def product_plant(self, product_id: str) -> Plant:
        """The plant whose lines run the product's routing."""
        first_line = self.product(product_id).routing[0].lines[0]
        return self.plant(self.line(first_line).plant_id)

    def link_gap(self, order: Order, predecessor_id: str) -> int:
        """Minutes from the end of ``predecessor_id`` to the earliest start of ``order``:
        ``order.transfer_minutes`` when the predecessor is made at another plant, else 0."""
        pred = self.order(predecessor_id)
        here = self.product_plant(order.product_id).id
        return 0 if self.product_plant(pred.product_id).id == here else order.transfer_minutes

    def orders_of(self, plant_id: str) -> tuple[Order, ...]:
        """Orders made at ``plant_id``."""
        by_plant = self._index.get("orders_of")
        if by_plant is None:
            # Grouped once, on first use: callers ask plant after plant, and a scan of
            # every order per plant was quadratic (seconds on 200 plants).
            groups: dict[str, list[Order]] = {}
            for o in self.orders:
                groups.setdefault(self.product_plant(o.product_id).id, []).append(o)
            by_plant = {pid: tuple(orders) for pid, orders in groups.items()}
            self._index["orders_of"] = by_plant  # type: ignore[index]
        return by_plant.get(plant_id, ())  # type: ignore[return-value]

    def grid_off(self, plant_id: str, threshold: float = 0.5) -> tuple[Window, ...]:
        """Windows when the plant's grid is off for planning purposes."""
        return self.block(self.plant(plant_id).block_id).off_windows(threshold)

    def deliveries_to(self, destination: str) -> tuple[FuelDelivery, ...]:
        """Deliveries to a depot or plant, by expected arrival."""
        return tuple(
            sorted(
                (d for d in self.deliveries if d.destination == destination),
                key=lambda d: d.expected,
            )
        )


def _reference_problems(p: Portfolio) -> list[str]:
    """Cross-references the constructors of single objects cannot check."""
    out: list[str] = []
    for kind, items in (
        ("plant", p.plants),
        ("block", p.blocks),
        ("product", p.products),
        ("order", p.orders),
        ("depot", p.depots),
        ("enterprise", p.enterprises),
    ):
        ids = [x.id for x in items]
        if len(ids) != len(set(ids)):
            out.append(f"duplicate {kind} ids")
    for plant in p.plants:
        if not p.has("enterprise", plant.enterprise_id):
            out.append(f"plant {plant.id}: unknown enterprise {plant.enterprise_id}")
        if not p.has("block", plant.block_id):
            out.append(f"plant {plant.id}: unknown block {plant.block_id}")
    for product in p.products:
        plants = set()
        for step in product.routing:
            for line_id in step.lines:
                if not p.has("line", line_id):
                    out.append(f"product {product.id}: unknown line {line_id}")
                else:
                    plants.add(p.line(line_id).plant_id)
            for res in step.resources:
                if not p.has("resource", res):
                    out.append(f"product {product.id}: unknown resource {res}")
        if len(plants) > 1:
            out.append(f"product {product.id}: routing spans plants {sorted(plants)}")
    for order in p.orders:
        if not p.has("product", order.product_id):
            out.append(f"order {order.id}: unknown product {order.product_id}")
        for pred in order.predecessors:
            if not p.has("order", pred):
                out.append(f"order {order.id}: unknown predecessor {pred}")
    if _has_cycle({o.id: o.predecessors for o in p.orders}):
        out.append("order predecessors form a cycle")
    for d in p.deliveries:
        if not (p.has("depot", d.destination) or p.has("plant", d.destination)):
            out.append(f"delivery {d.id}: unknown destination {d.destination}")
    return out


def _has_cycle(after: Mapping[str, tuple[str, ...]]) -> bool:
    """True when the predecessor graph has a cycle (iterative DFS, three colours)."""
    state: dict[str, int] = {}
    for root in after:
        if state.get(root):
            continue
        stack = [(root, iter(after.get(root, ())))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return True
            elif not state.get(child) and child in after:
                state[child] = 1
                stack.append((child, iter(after[child])))
    return False
