"""What-if a load-shedding stage: ``whatif P --stage 6`` (``--stage-days 3``).

For every block with a load-shedding schedule, the stage of the first ``days`` dates of
its schedule that reach into the horizon is made certain (probability 1); the other
dates keep their forecast. The first dates because a stage is announced a day or two
ahead: "what if stage 6 holds from now for three days" is the question a planner
can still act on. Pure: no IO.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar

from ingenio.domain import MINUTES_PER_DAY, STAGES, Portfolio
from ingenio.scenarios.perturb import PerturbationError

__all__ = ["ForceStage", "parse_stage"]

MAX_STAGE_DAYS = 366
"""Most days ``--stage-days`` may ask for."""


@dataclass(frozen=True)
class ForceStage:
    """Stage ``stage`` (0..8) for certain on the first ``days`` dates of every schedule."""

    stage: int
    days: int = 3
    option: ClassVar[str] = "--stage"

    def describe(self) -> str:
        """``stage 6 for 3 days``."""
        return f"stage {self.stage} for {self.days} day{'s' if self.days != 1 else ''}"

    def apply(self, portfolio: Portfolio) -> Portfolio:
        """Fix the stage in every block that has a schedule; raises when none has one."""
        if not 0 <= self.stage <= STAGES:
            raise PerturbationError(self.option, self.stage, f"a stage is 0 to {STAGES}")
        if not 1 <= self.days <= MAX_STAGE_DAYS:
            raise PerturbationError("--stage-days", self.days, f"give 1 to {MAX_STAGE_DAYS}")
        blocks = []
        for b in portfolio.blocks:
            shed = b.load_shedding
            if shed is None:
                blocks.append(b)
                continue
            dates = sorted(d.day for d in shed.days if d.day + MINUTES_PER_DAY > 0)
            chosen = {day: self.stage for day in dates[: self.days]}
            blocks.append(dataclasses.replace(b, load_shedding=shed.with_stages(chosen)))
        if all(b.load_shedding is None for b in portfolio.blocks):
            raise PerturbationError(
                self.option, self.stage, "no block of the portfolio has a load-shedding schedule"
            )
        return dataclasses.replace(portfolio, blocks=tuple(blocks))


def parse_stage(stage: str, days: str | int = 3) -> ForceStage:
    """``"6"`` (and ``--stage-days 3``) -> ``ForceStage(6, 3)``."""
    try:
        n = int(str(stage).strip())
    except ValueError:
        raise PerturbationError("--stage", stage, f"expected a stage 0 to {STAGES}") from None
    try:
        k = int(str(days).strip())
    except ValueError:
        raise PerturbationError("--stage-days", days, "expected a number of days") from None
    out = ForceStage(n, k)
    if not 0 <= n <= STAGES:
        raise PerturbationError("--stage", stage, f"a stage is 0 to {STAGES}")
    if not 1 <= k <= MAX_STAGE_DAYS:
        raise PerturbationError("--stage-days", days, f"give 1 to {MAX_STAGE_DAYS}")
    return out
