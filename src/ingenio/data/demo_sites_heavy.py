"""The two energy-intensive plants of the demo: a cement plant and an EAF steel shop.

domain-facts §2 contingency decree: at peak, electric furnaces stop and high
consumers must self-generate; both plants have gensets, but far smaller than their load.
"""

from __future__ import annotations

from ingenio.data.demo_common import (
    ROUND_THE_CLOCK,
    THREE_SHIFTS_MON_SAT,
    TWO_SHIFTS_MON_SAT,
    Demand,
    Site,
    genset,
    make_line,
    make_step,
)
from ingenio.domain import Enterprise, Horizon, Plant, PriorityClass, Product

# --- cement --------------------------------------------------------------------------
CEMENT_KWH_PER_T = 104.0
"""domain-facts §5: cement takes 104 kWh/t (GCCA), split below as 50 + 50 + 4."""
KILN_KWH_PER_T = 50.0
"""Raw meal grinding, kiln drive, fans (plausible split)."""
MILL_KWH_PER_T = 50.0
PACKING_KWH_PER_T = CEMENT_KWH_PER_T - KILN_KWH_PER_T - MILL_KWH_PER_T
KILN_T_PER_H = 35.0
KILN_KW = KILN_KWH_PER_T * KILN_T_PER_H
CEMENT_MILL_T_PER_H = 18.0
CEMENT_MILL_KW = MILL_KWH_PER_T * CEMENT_MILL_T_PER_H
PACKER_T_PER_H = 35.0
PACKER_KW = PACKING_KWH_PER_T * PACKER_T_PER_H
CEMENT_GRID_KW = 3_500.0
"""Kiln + one mill + packer fit (2 790 kW); kiln + both mills (3 550 kW) do not."""
CEMENT_GENSETS_KW = (1_000.0, 1_000.0)
"""2 MW on site: carries the kiln (1 750 kW) or both mills through a cut, never all three."""


def cement_site(horizon: Horizon) -> Site:
    """Bagged and bulk P-35 cement and export clinker.

    domain-facts §2: Cienfuegos (1.6 Mt/yr) runs at about 30 %; this kiln makes 35 t/h
    (about 300 kt/yr). A firing lot must run without a break (at most 350 t = 10 h).
    Mariel is in Artemisa, next to Havana; the demo puts its feeder in Havana block B3.
    """
    pid = "CEM"
    kiln = make_line(pid, "HOR", "Horno rotatorio", ROUND_THE_CLOCK, horizon)
    mills = [
        make_line(pid, f"MC{i}", f"Molino de cemento {i}", THREE_SHIFTS_MON_SAT, horizon)
        for i in (1, 2)
    ]
    packer = make_line(pid, "ENS", "Ensacadora", TWO_SHIFTS_MON_SAT, horizon)
    # the setup brings the kiln back to temperature; a firing lot never pauses
    firing_step = make_step(
        "Cocción de clínker", [kiln], KILN_T_PER_H, KILN_KW, setup=90, interruptible=False
    )
    milling = make_step(
        "Molienda", mills, CEMENT_MILL_T_PER_H, CEMENT_MILL_KW, setup=20, restart=30
    )
    bagging = make_step("Ensacado", [packer], PACKER_T_PER_H, PACKER_KW, setup=15, restart=5)
    products = (
        Product(
            f"{pid}-P35S", "Cemento P-35 ensacado (t)", "cemento", (firing_step, milling, bagging)
        ),
        Product(f"{pid}-P35G", "Cemento P-35 a granel (t)", "cemento", (firing_step, milling)),
        Product(f"{pid}-CLK", "Clínker de exportación (t)", "clinker", (firing_step,)),
    )
    demands = (  # USD per tonne, plausible
        Demand(f"{pid}-P35S", 3, 100, 300, 10, (2, 6), 135.0, PriorityClass.DOMESTIC),
        Demand(f"{pid}-P35G", 2, 150, 350, 10, (2, 6), 115.0, PriorityClass.DOMESTIC),
        Demand(f"{pid}-CLK", 1, 200, 350, 10, (3, 7), 60.0, PriorityClass.EXPORT),
    )
    plant = Plant(
        pid,
        "Fábrica de Cemento, Mariel",
        "E-CEM",
        "B3",
        CEMENT_GRID_KW,
        (kiln, *mills, packer),
        generators=tuple(
            genset(f"{pid}-G{i}", f"Genset {kw:,.0f} kW", pid, kw)
            for i, kw in enumerate(CEMENT_GENSETS_KW, 1)
        ),
    )
    return Site(Enterprise("E-CEM", "Empresa de Cemento del Mariel"), plant, products, demands)


# --- steel ---------------------------------------------------------------------------
EAF_KWH_PER_T = 425.0
"""domain-facts §5: EAF steel 300-550 kWh/t, about 425 on average."""
EAF_T_PER_H = 30.0
"""domain-facts §2: Antillana de Acero makes 226 kt/yr of billet, about 26 t/h."""
EAF_KW = EAF_KWH_PER_T * EAF_T_PER_H
CASTER_KW = 900.0
ROLLING_T_PER_H = 28.0
ROLLING_KW = 2_500.0
"""About 90 kWh/t of drives; the reheating furnace burns fuel oil (plausible)."""
STEEL_GRID_KW = 16_000.0
"""220 kV substation (domain-facts §2): EAF + caster + rolling mill (16 150 kW) do not fit."""
STEEL_GENSET_KW = 1_000.0
"""Auxiliaries only (caster cooling and drives): the 12.75 MW arc cannot run on it."""


def steel_site(horizon: Horizon) -> Site:
    """Billet for export and rebar for the domestic market."""
    pid = "ACE"
    eaf = make_line(pid, "EAF", "Horno de arco eléctrico", ROUND_THE_CLOCK, horizon)
    caster = make_line(pid, "CCM", "Colada continua", ROUND_THE_CLOCK, horizon)
    mill = make_line(pid, "LAM", "Laminador de barras", TWO_SHIFTS_MON_SAT, horizon)
    melting = make_step("Fusión", [eaf], EAF_T_PER_H, EAF_KW, setup=45, restart=40)
    # a cast sequence cannot stop once the tundish is open
    casting = make_step(
        "Colada continua", [caster], EAF_T_PER_H, CASTER_KW, setup=60, interruptible=False
    )
    rolling = make_step("Laminación", [mill], ROLLING_T_PER_H, ROLLING_KW, setup=60, restart=30)
    products = (
        Product(f"{pid}-PAL", "Palanquilla 130 mm (t)", "palanquilla", (melting, casting)),
        Product(f"{pid}-BAR", "Barras corrugadas (t)", "barras", (melting, casting, rolling)),
    )
    demands = (  # quantities in 30 t heats; USD per tonne, plausible
        Demand(f"{pid}-PAL", 3, 150, 450, 30, (2, 6), 520.0, PriorityClass.EXPORT),
        Demand(f"{pid}-BAR", 2, 120, 360, 30, (3, 7), 760.0, PriorityClass.DOMESTIC),
    )
    plant = Plant(
        pid,
        "Acería Antillana de Acero, Cotorro",
        "E-ACE",
        "B6",
        STEEL_GRID_KW,
        (eaf, caster, mill),
        generators=(
            genset(
                f"{pid}-G1", f"Genset {STEEL_GENSET_KW:,.0f} kW (auxiliaries)", pid, STEEL_GENSET_KW
            ),
        ),
    )
    return Site(
        Enterprise("E-ACE", "Empresa Siderúrgica Antillana de Acero"), plant, products, demands
    )
