"""The four light-industry plants of the demo, inside Havana.

Cigars (labour, little power), UAZ SKD kit assembly, a bakery and pasta plant making
essential food, and a Labiofam bioproducts plant with 36-hour fermentations.
Figures marked *plausible* are engineering guesses where domain-facts gives none.
"""

from __future__ import annotations

from ingenio.data.demo_common import (
    ONE_SHIFT_MON_FRI,
    ROLLING_ROOM,
    ROUND_THE_CLOCK,
    THREE_SHIFTS_MON_FRI,
    TWO_SHIFTS_MON_FRI,
    TWO_SHIFTS_MON_SAT,
    Demand,
    Site,
    genset,
    local_minute,
    make_line,
    make_step,
    solar,
)
from ingenio.domain import Battery, Enterprise, Horizon, Plant, PriorityClass, Product, Resource

ESSENTIAL = PriorityClass.ESSENTIAL
EXPORT = PriorityClass.EXPORT
DOMESTIC = PriorityClass.DOMESTIC

# --- cigar factory -------------------------------------------------------------------
CIGAR_GRID_KW = 80.0
CIGAR_GENSET_KW = 30.0
"""Carries two rolling rooms, or a room and boxing, not all 62 kW of lines."""
ROLLER_BRIGADES = 3
ROLLER_SHORT_DAYS = (2, 5, 9, 10)
"""Days (0 = Monday 6 April) with one brigade fewer: buses without fuel, Saturdays."""


def cigar_site(horizon: Horizon) -> Site:
    """Hand-rolled export Habanos and a domestic cigar: rollers, not kW, are the limit.

    domain-facts §2: Habanos had a record $827 M revenue in 2024; §5 gives no energy
    figure for cigars, so the rooms draw only lights, fans and humidifiers (plausible).
    """
    pid = "CIG"
    rooms = [
        make_line(pid, f"GAL{i}", f"Galera {i} (rolling room)", ROLLING_ROOM, horizon)
        for i in (1, 2, 3)
    ]
    sort_band = make_line(pid, "ESC", "Escogida y anillado", TWO_SHIFTS_MON_SAT, horizon)
    boxing = make_line(pid, "ENV", "Envase (boxing)", TWO_SHIFTS_MON_SAT, horizon)
    changes: list[tuple[int, int]] = []
    brigades = ROLLER_BRIGADES
    for day in range(horizon.days):
        today = ROLLER_BRIGADES - 1 if day in ROLLER_SHORT_DAYS else ROLLER_BRIGADES
        if today != brigades:
            changes.append((local_minute(horizon, day, 0), today))
            brigades = today
    crew = Resource(
        f"{pid}-TORC",
        "Brigadas de torcedores (about 40 rollers each)",
        pid,
        ROLLER_BRIGADES,
        tuple(changes),
    )
    # a brigade rolls about 110 cigars per roller-day: 40 * 110 / 9 h / 25 = about 20 boxes/h
    habanos = [
        Product(
            f"{pid}-{code}",
            f"{name} (box of 25, export)",
            "habanos",
            (
                make_step(
                    "Torcido", rooms, rate, 12.0, setup=30, restart=15, resources={crew.id: 1}
                ),
                make_step("Escogida y anillado", [sort_band], 30.0, 8.0, setup=15, restart=10),
                make_step("Envase", [boxing], 34.0, 18.0, setup=20, restart=10),
            ),
        )
        for code, name, rate in (
            ("ROB", "Robusto", 18.0),
            ("CHU", "Churchill", 14.0),
            ("PCO", "Petit Corona", 22.0),
        )
    ]
    products = (
        *habanos,
        Product(
            f"{pid}-NAC",
            "Tabaco nacional (box of 25)",
            "nacional",
            (
                make_step(
                    "Torcido", rooms, 30.0, 12.0, setup=20, restart=15, resources={crew.id: 1}
                ),
                make_step("Envase", [boxing], 34.0, 18.0, setup=20, restart=10),
            ),
        ),
    )
    demands = (
        Demand(f"{pid}-ROB", 3, 40, 240, 20, (3, 7), 320.0, EXPORT),
        Demand(f"{pid}-CHU", 2, 40, 160, 20, (4, 7), 450.0, EXPORT),
        Demand(f"{pid}-PCO", 2, 40, 240, 20, (3, 6), 190.0, EXPORT),
        Demand(f"{pid}-NAC", 2, 100, 400, 50, (2, 5), 18.0, DOMESTIC),
    )
    plant = Plant(
        pid,
        "Fábrica de Tabacos Centro Habana",
        "E-TAB",
        "B1",
        CIGAR_GRID_KW,
        (*rooms, sort_band, boxing),
        resources=(crew,),
        generators=(genset(f"{pid}-G1", f"Genset {CIGAR_GENSET_KW:.0f} kW", pid, CIGAR_GENSET_KW),),
    )
    return Site(
        Enterprise("E-TAB", "Empresa de Tabaco Torcido La Habana"), plant, products, demands
    )


# --- UAZ SKD assembly ----------------------------------------------------------------
UAZ_GRID_KW = 160.0
UAZ_GENSET_KW = 60.0
"""Carries one station at a time in a blackout."""
UAZ_SOLAR_KWP = 80.0
"""Roof array on grid-tied inverters: it trips with the grid (``islanding`` false)."""
UAZ_FORKLIFTS = 2
UAZ_FORKLIFT_DOWN = (7, 11)
"""One forklift waits for parts from day 7 to day 11 (plausible)."""
UAZ_RATE_PER_HOUR = 0.25
"""domain-facts §2: 500 vehicles/yr on 1 shift = 500 / (250 days * 8 h)."""


def uaz_site(horizon: Horizon) -> Site:
    """UAZ Patriot and Pickup SKD kits, one shift Monday-Friday (domain-facts §2).

    §5: full car manufacturing takes about 2.4 MWh/car; SKD assembly is far lower, here
    about 0.5 MWh/vehicle (35 + 40 + 55 kW for 4 h each, plausible).
    """
    pid = "UAZ"
    chassis = make_line(pid, "CHS", "Chasis y tren motriz", ONE_SHIFT_MON_FRI, horizon)
    body = make_line(pid, "CAR", "Carrocería y vestidura", ONE_SHIFT_MON_FRI, horizon)
    final = make_line(pid, "FIN", "Final, alineación y prueba", ONE_SHIFT_MON_FRI, horizon)
    down, back = UAZ_FORKLIFT_DOWN
    forklifts = Resource(
        f"{pid}-MONT",
        "Montacargas (forklift fleet)",
        pid,
        UAZ_FORKLIFTS,
        (
            (local_minute(horizon, down, 0), UAZ_FORKLIFTS - 1),
            (local_minute(horizon, back, 0), UAZ_FORKLIFTS),
        ),
    )
    products = tuple(
        Product(
            f"{pid}-{code}",
            f"UAZ {name} (SKD kit)",
            "uaz",
            (
                make_step(
                    "Chasis y tren motriz",
                    [chassis],
                    rate,
                    35.0,
                    setup=30,
                    restart=10,
                    resources={forklifts.id: 1},
                ),
                make_step(
                    "Carrocería y vestidura",
                    [body],
                    rate,
                    40.0,
                    setup=30,
                    restart=10,
                    resources={forklifts.id: 1},
                ),
                make_step("Final y prueba", [final], rate, 55.0, setup=15, restart=10),
            ),
        )
        for code, name, rate in (
            ("PAT", "Patriot", UAZ_RATE_PER_HOUR),
            ("PIC", "Pickup", UAZ_RATE_PER_HOUR * 1.2),
        )
    )
    demands = (  # sale prices in USD, plausible
        Demand(f"{pid}-PAT", 3, 1, 2, 1, (5, 7), 42_000.0, DOMESTIC),
        Demand(f"{pid}-PIC", 2, 1, 2, 1, (5, 7), 36_000.0, DOMESTIC),
    )
    plant = Plant(
        pid,
        "Planta de ensamblaje SKD UAZ, La Habana",
        "E-EISA",
        "B2",
        UAZ_GRID_KW,
        (chassis, body, final),
        resources=(forklifts,),
        generators=(genset(f"{pid}-G1", f"Genset {UAZ_GENSET_KW:.0f} kW", pid, UAZ_GENSET_KW),),
        solar=solar(UAZ_SOLAR_KWP),
    )
    return Site(
        Enterprise("E-EISA", "EISA with ECHO-Export (vehicle assembly)"), plant, products, demands
    )


# --- bakery and pasta ----------------------------------------------------------------
BAKERY_GRID_KW = 500.0
"""Mixer, two ovens and pasta fit (475 kW); all five lines (625 kW) do not."""
BAKERY_GENSET_KW = 220.0
"""Carries the mixer and one oven (205 kW), not the second oven or the other lines."""


def bakery_site(horizon: Horizon) -> Site:
    """Ration bread (essential, cheap), sliced loaves, pasta and soda crackers.

    Electric deck ovens of 160 kW bake 3 250 rolls of 80 g an hour, about 0.6 kWh/kg
    (plausible).
    """
    pid = "PAN"
    mixer = make_line(pid, "AMA", "Amasado y división", ROUND_THE_CLOCK, horizon)
    ovens = [make_line(pid, f"HO{i}", f"Horno {i}", ROUND_THE_CLOCK, horizon) for i in (1, 2)]
    pasta = make_line(pid, "PAS", "Línea de pastas", THREE_SHIFTS_MON_FRI, horizon)
    crackers = make_line(pid, "GAL", "Línea de galletas", TWO_SHIFTS_MON_SAT, horizon)
    products = (
        Product(
            f"{pid}-NOR",
            "Pan normado 80 g (thousand rolls)",
            "pan",
            (
                make_step("Amasado y división", [mixer], 6.5, 45.0, setup=10, restart=10),
                make_step("Horneado", ovens, 3.25, 160.0, setup=30, restart=20),
            ),
        ),
        Product(
            f"{pid}-MOL",
            "Pan de molde (thousand loaves)",
            "pan",
            (
                make_step("Amasado y división", [mixer], 2.5, 45.0, setup=15, restart=10),
                make_step("Horneado", ovens, 1.25, 160.0, setup=30, restart=20),
            ),
        ),
        Product(
            f"{pid}-PAS",
            "Pastas alimenticias (t)",
            "pastas",
            (make_step("Extrusión y secado", [pasta], 0.8, 110.0, setup=45, restart=60),),
        ),
        Product(
            f"{pid}-GAL",
            "Galletas de soda (t)",
            "galletas",
            (make_step("Laminado y horneado", [crackers], 0.5, 150.0, setup=30, restart=30),),
        ),
    )
    demands = (
        Demand(f"{pid}-NOR", 5, 5, 30, 5, (1, 2), 35.0, ESSENTIAL),
        Demand(f"{pid}-MOL", 1, 2, 8, 1, (1, 3), 900.0, DOMESTIC),
        Demand(f"{pid}-PAS", 2, 4, 16, 1, (2, 6), 950.0, ESSENTIAL),
        Demand(f"{pid}-GAL", 2, 3, 10, 1, (2, 6), 1_600.0, DOMESTIC),
    )
    plant = Plant(
        pid,
        "Combinado de Panificación y Pastas, Cerro",
        "E-ALI",
        "B4",
        BAKERY_GRID_KW,
        (mixer, *ovens, pasta, crackers),
        generators=(
            genset(f"{pid}-G1", f"Genset {BAKERY_GENSET_KW:.0f} kW", pid, BAKERY_GENSET_KW),
        ),
    )
    return Site(
        Enterprise("E-ALI", "Empresa Provincial de la Industria Alimentaria La Habana"),
        plant,
        products,
        demands,
    )


# --- Labiofam bioproducts ------------------------------------------------------------
PHARMA_GRID_KW = 250.0
"""Two fermenters and downstream fit (250 kW); filling as well (285 kW) does not."""
PHARMA_GENSET_KW = 200.0
"""Carries both fermenters (2 x 90 kW) through an outage, not downstream and filling."""
PHARMA_SOLAR_KWP = 60.0
"""Behind the battery's hybrid inverter: it keeps producing in a blackout."""
PHARMA_BATTERY = (400.0, 200.0, 100.0)
"""kWh, kW out, kW in: a containerised lithium bank (plausible) that carries both
fermenters (2 x 90 kW) for about 2 hours of a blackout, or tops up the genset."""
FERMENTATION_HOURS = 36.0
"""domain-facts §2: Labiofam fermentations need 36 h of uninterrupted power."""


def pharma_site(horizon: Horizon) -> Site:
    """Biolarvicides, a veterinary vaccine and a biofertilizer, in lots of 5 000 L.

    Fermenters draw 90 kW each for agitation, aeration and chilled water (plausible).
    """
    pid = "LAB"
    fermenters = [
        make_line(pid, f"F{i}", f"Fermentador {i} (5 000 L)", ROUND_THE_CLOCK, horizon)
        for i in (1, 2)
    ]
    downstream = make_line(pid, "DSP", "Separación y formulación", TWO_SHIFTS_MON_FRI, horizon)
    filling = make_line(pid, "LLE", "Llenado y etiquetado", ONE_SHIFT_MON_FRI, horizon)

    # one lot per fermentation; the setup sterilises the vessel and inoculates it
    three_step = [
        Product(
            f"{pid}-{code}",
            f"{name} (lot of 5 000 L)",
            family,
            (
                make_step(
                    "Fermentación",
                    fermenters,
                    1.0 / FERMENTATION_HOURS,
                    90.0,
                    setup=180,
                    interruptible=False,
                ),
                make_step(
                    "Separación y formulación", [downstream], 0.15, 70.0, setup=60, restart=30
                ),
                make_step("Llenado", [filling], 0.3, 35.0, setup=30, restart=15),
            ),
        )
        for code, name, family in (
            ("BTV", "Bactivec biolarvicide", "biolarvicidas"),
            ("GRS", "Griselesf biolarvicide", "biolarvicidas"),
            ("VAC", "Veterinary vaccine", "vacunas"),
        )
    ]
    products = (
        *three_step,
        Product(
            f"{pid}-BIO",
            "Biofertilizer (lot of 5 000 L)",
            "biofertilizantes",
            (
                make_step(
                    "Fermentación", fermenters, 1.0 / 24.0, 90.0, setup=120, interruptible=False
                ),
                make_step("Llenado", [filling], 0.3, 35.0, setup=30, restart=15),
            ),
        ),
    )
    demands = (  # USD per lot, plausible
        Demand(f"{pid}-BTV", 3, 1, 1, 1, (5, 7), 28_000.0, EXPORT),
        Demand(f"{pid}-GRS", 2, 1, 1, 1, (5, 7), 22_000.0, EXPORT),
        Demand(f"{pid}-VAC", 2, 1, 1, 1, (5, 6), 15_000.0, ESSENTIAL),
        Demand(f"{pid}-BIO", 1, 1, 1, 1, (4, 7), 5_000.0, DOMESTIC),
    )
    plant = Plant(
        pid,
        "Planta de Bioproductos Labiofam, Boyeros",
        "E-LAB",
        "B5",
        PHARMA_GRID_KW,
        (*fermenters, downstream, filling),
        generators=(
            genset(f"{pid}-G1", f"Genset {PHARMA_GENSET_KW:.0f} kW", pid, PHARMA_GENSET_KW),
        ),
        solar=solar(PHARMA_SOLAR_KWP, islanding=True),
        batteries=(Battery(f"{pid}-BESS", pid, *PHARMA_BATTERY, 0.9, 0.1, 1.0),),
    )
    return Site(Enterprise("E-LAB", "Grupo Empresarial Labiofam"), plant, products, demands)
