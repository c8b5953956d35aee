"""What-if as a background job: plan a portfolio and a perturbed variant, say what changes.

The perturbations are checked when the job is asked for (a bad one is a 422 at once);
the two solves run in a worker, like a plan job, and the job's result holds the values,
the orders that change and the sentences on when stopped plants resume and on the
tanker arrivals they need (:func:`ingenio.services.scenarios.what_if` does the work).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingenio.domain import Portfolio
from ingenio.errors import N_, IngenioError, said
from ingenio.formats.portfolio import parse_portfolio
from ingenio.scenarios import parse
from ingenio.scenarios.perturb import Perturbation, PerturbationError, apply_all
from ingenio.services.auth import Principal
from ingenio.services.context import Actor, Context, Scope, StoreHandle
from ingenio.services.plans import PLANNERS
from ingenio.services.scenarios import WhatIfRequest, what_if
from ingenio.services.tenancy import find_portfolio
from ingenio.settings import load_settings
from ingenio.store.jobs_repo import JobRecord
from ingenio.store.repository import Store

__all__ = ["WhatIf", "run_whatif", "submit_whatif"]


@dataclass(frozen=True)
class WhatIf:
    """The perturbations of a what-if, as typed (``docs/scenarios.md``)."""

    tanker_delays: list[str] = field(default_factory=list)
    generators_down: list[str] = field(default_factory=list)
    extra_fuel: list[str] = field(default_factory=list)
    deficit_scale: str | None = None
    planner: str = "dispatch"

    def perturbations(self, portfolio: Portfolio) -> list[Perturbation]:
        """The perturbations, checked against ``portfolio``.

        Raises
        ------
        IngenioError
            Kind ``invalid``, naming the field and the value, for a bad one or none.
        """
        try:
            out: list[Perturbation] = [parse.parse_tanker_delay(t) for t in self.tanker_delays]
            if self.deficit_scale is not None:
                out.append(parse.parse_deficit_scale(self.deficit_scale))
            out += [parse.parse_generator_down(g) for g in self.generators_down]
            out += [parse.parse_extra_fuel(f) for f in self.extra_fuel]
            if not out:
                raise PerturbationError("perturbations", "", "give at least one")
            apply_all(portfolio, out)
        except PerturbationError as exc:
            raise IngenioError(str(exc), kind="invalid") from None
        return out


def submit_whatif(
    store: Store, principal: Principal, portfolio_id: int, request: WhatIf
) -> JobRecord:
    """Queue a what-if on a portfolio's latest version (planners).

    Raises
    ------
    IngenioError
        ``not_found`` out of scope, ``invalid`` for a bad perturbation or planner,
        ``conflict`` while a job of the portfolio is live.
    """
    view = find_portfolio(store, principal, portfolio_id)
    principal.require("plans.create")
    if request.planner not in PLANNERS:
        raise IngenioError(
            said(N_("unknown planner %(planner)s"), planner=repr(request.planner)), kind="invalid"
        )
    _, document = store.load_portfolio(view.name, view.latest.version, account=view.account)
    request.perturbations(parse_portfolio(document, f"portfolio {view.name!r}"))
    params = {
        "portfolio_id": view.id,
        "portfolio_version": view.latest.version,
        "tanker_delays": request.tanker_delays,
        "generators_down": request.generators_down,
        "extra_fuel": request.extra_fuel,
        "deficit_scale": request.deficit_scale,
        "planner": request.planner,
    }
    return store.enqueue_job(view.account, view.name, "whatif", params, principal.name)


def run_whatif(store: Store, job: JobRecord) -> dict[str, Any]:
    """Run a what-if job with :func:`ingenio.services.scenarios.what_if` (the job's result)."""
    p = job.params
    version = int(p["portfolio_version"])
    _, document = store.load_portfolio(job.portfolio_name, version, account=job.account)
    base = parse_portfolio(document, f"portfolio {job.portfolio_name!r} v{version}")
    ctx = Context(
        StoreHandle.of(store), load_settings(), Actor(job.created_by, Scope(account=job.account))
    )
    request = WhatIfRequest(
        tanker_delays=tuple(p.get("tanker_delays", [])),
        deficit_scale=p.get("deficit_scale"),
        generators_down=tuple(p.get("generators_down", [])),
        extra_fuel=tuple(p.get("extra_fuel", [])),
        planner=str(p.get("planner", "dispatch")),
    )
    result = what_if(ctx, base, request)
    diff = result.diff
    return {
        "title": result.title,
        "base_value": diff.base_value,
        "variant_value": diff.variant_value,
        "value_delta": diff.value_delta,
        "orders": [
            {"order": c.order_id, "plant": c.plant_id, "change": str(c.kind.value)}
            for c in diff.orders
        ],
        "resumptions": list(result.resumptions),
        "tanker_sentences": list(result.tanker_sentences),
    }
