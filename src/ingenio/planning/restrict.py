"""Cut a portfolio down to one plant, the input of the plant-level scheduler.

The portfolio level decides how much depot fuel each plant gets and when; the
plant level then plans each plant on its own. :func:`plant_portfolio` builds
that plant's world: the plant, its outage block, its enterprise, the products
made on its lines and their orders, the fuel delivered straight to it, and the
depot fuel granted to it, turned into deliveries to the plant.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingenio.domain import FuelDelivery, Portfolio

__all__ = ["plant_portfolio"]


def plant_portfolio(
    portfolio: Portfolio, plant_id: str, extra_fuel: Sequence[tuple[int, float]] = ()
) -> Portfolio:
    """The sub-portfolio of one plant, without depots.

    Parameters
    ----------
    portfolio
        The whole portfolio.
    plant_id
        Id of the plant to keep.
    extra_fuel
        ``(minute, litres)`` granted to the plant on top of its own tank and
        direct deliveries (depot fuel allotted by the portfolio level). Each
        becomes a :class:`~ingenio.domain.FuelDelivery` to the plant, expected
        (and certain) at that minute, with id ``"<plant>-grant-<i>"``. Entries
        of 0 litres are dropped.

    Returns
    -------
    Portfolio
        Same name suffix ``/<plant_id>``, horizon, late decay and currency; one
        enterprise, one plant, one block; the products whose routing runs on
        the plant and the orders for them, in their original order; the direct
        deliveries to the plant plus the granted fuel; no depots.

    Raises
    ------
    KeyError
        If ``plant_id`` is not a plant of the portfolio.
    ValueError
        If an order of the plant has a predecessor made in another plant
        (cross-plant predecessors are not supported at plant level: the
        predecessor's completion would have to be fixed first), if a product of
        the plant holds a shared resource of another plant, or if a grant is
        negative.
    """
    plant = portfolio.plant(plant_id)
    products = tuple(
        pr for pr in portfolio.products if portfolio.product_plant(pr.id).id == plant_id
    )
    own_resources = {r.id for r in plant.resources}
    for product in products:
        for step in product.routing:
            foreign = sorted(set(step.resources) - own_resources)
            if foreign:
                raise ValueError(
                    f"product {product.id} (plant {plant_id}) holds resources {foreign} "
                    "of another plant; a plant can only share its own resources"
                )
    kept = {pr.id for pr in products}
    orders = tuple(o for o in portfolio.orders if o.product_id in kept)
    order_ids = {o.id for o in orders}
    for order in orders:
        outside = [p for p in order.predecessors if p not in order_ids]
        if outside:
            raise ValueError(
                f"order {order.id} (plant {plant_id}) has predecessors {outside} made in "
                "another plant; cross-plant predecessors are not supported at plant level"
            )
    deliveries = list(portfolio.deliveries_to(plant_id))
    for i, (minute, litres) in enumerate(extra_fuel):
        if litres < 0:
            raise ValueError(f"fuel granted to plant {plant_id} at minute {minute} is negative")
        if litres > 0:
            deliveries.append(
                FuelDelivery(f"{plant_id}-grant-{i}", litres, minute, minute, minute, plant_id)
            )
    return Portfolio(
        name=f"{portfolio.name}/{plant_id}",
        horizon=portfolio.horizon,
        enterprises=tuple(e for e in portfolio.enterprises if e.id == plant.enterprise_id),
        plants=(plant,),
        blocks=(portfolio.block(plant.block_id),),
        products=products,
        orders=orders,
        depots=(),
        deliveries=tuple(deliveries),
        late_decay_per_day=portfolio.late_decay_per_day,
        currency=portfolio.currency,
    )
