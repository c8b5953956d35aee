"""Taillard's job-shop generator (Taillard 1993), bit for bit, and his published seeds.

E. Taillard, "Benchmarks for basic scheduling problems", EJOR 64(2):278-285, 1993.
The generator is his portable Lehmer LCG (``x <- 16807 x mod 2^31 - 1`` by Schrage's
method) drawing ``unif(seed, low, high) = low + floor(x / (2^31 - 1) * (high - low + 1))``:
first every processing time in 1..99, job by job, from the *time seed*; then, for
each job, the machine order starts as ``0..m-1`` and position ``j`` is swapped with
position ``unif(machine seed, j, m - 1)``, for ``j = 0..m-1``.

Sources:

* the seeds of ta01-ta80 are Taillard's, as listed in OR-Library's ``jobshop2.txt``
  (https://people.brunel.ac.uk/~mastjjb/jeb/orlib/files/jobshop2.txt), here as copied
  in Julien Bernard's ``JobShopInstanceGenerator.cc`` (SchedulingLab);
* the best-known upper bounds of ta41-ta80 (:data:`BEST_KNOWN`) are those gathered in
  Thomas Weise's ``jsspInstancesAndResults`` collection (they agree with the
  ScheduleOpt JSPLIB table to a unit or two: where the sources differ the lowest
  value is kept, as ``../shared/data/benchmarks/jssp/reference.csv`` does);
* ta01-ta40 generated here equal the shared instance files exactly (a unit test checks
  ta01; ``bench/jssp_large.py --check`` checks all 40).
"""

from __future__ import annotations

from ingenio.benchmarks.jssp import JsspInstance, JsspOperation

__all__ = ["BEST_KNOWN", "SEEDS", "generate", "lower_bound", "ta", "to_text"]

_M = 2147483647
_A = 16807
_B = 127773
_C = 2836

SEEDS: dict[int, tuple[int, int, int, int]] = {
    # number: (jobs, machines, time seed, machine seed)
    1: (15, 15, 840612802, 398197754),
    2: (15, 15, 1314640371, 386720536),
    3: (15, 15, 1227221349, 316176388),
    4: (15, 15, 342269428, 1806358582),
    5: (15, 15, 1603221416, 1501949241),
    6: (15, 15, 1357584978, 1734077082),
    7: (15, 15, 44531661, 1374316395),
    8: (15, 15, 302545136, 2092186050),
    9: (15, 15, 1153780144, 1393392374),
    10: (15, 15, 73896786, 1544979948),
    11: (20, 15, 533484900, 317419073),
    12: (20, 15, 1894307698, 1474268163),
    13: (20, 15, 874340513, 509669280),
    14: (20, 15, 1124986343, 1209573668),
    15: (20, 15, 1463788335, 529048107),
    16: (20, 15, 1056908795, 25321885),
    17: (20, 15, 195672285, 1717580117),
    18: (20, 15, 961965583, 1353003786),
    19: (20, 15, 1610169733, 1734469503),
    20: (20, 15, 532794656, 998486810),
    21: (20, 20, 1035939303, 773961798),
    22: (20, 20, 5997802, 1872541150),
    23: (20, 20, 1357503601, 722225039),
    24: (20, 20, 806159563, 1166962073),
    25: (20, 20, 1902815253, 1879990068),
    26: (20, 20, 1503184031, 1850351876),
    27: (20, 20, 1032645967, 99711329),
    28: (20, 20, 229894219, 1158117804),
    29: (20, 20, 823349822, 108033225),
    30: (20, 20, 1297900341, 489486403),
    31: (30, 15, 98640593, 1981283465),
    32: (30, 15, 1839268120, 248890888),
    33: (30, 15, 573875290, 2081512253),
    34: (30, 15, 1670898570, 788294565),
    35: (30, 15, 1118914567, 1074349202),
    36: (30, 15, 178750207, 294279708),
    37: (30, 15, 1549372605, 596993084),
    38: (30, 15, 798174738, 151685779),
    39: (30, 15, 553410952, 1329272528),
    40: (30, 15, 1661531649, 1173386294),
    41: (30, 20, 1841414609, 1357882888),
    42: (30, 20, 2116959593, 1546338557),
    43: (30, 20, 796392706, 1230864158),
    44: (30, 20, 532496463, 254174057),
    45: (30, 20, 2020525633, 978943053),
    46: (30, 20, 524444252, 185526083),
    47: (30, 20, 1569394691, 487269855),
    48: (30, 20, 1460267840, 1631446539),
    49: (30, 20, 198324822, 1937476577),
    50: (30, 20, 38071822, 1541985579),
    51: (50, 15, 17271, 718939),
    52: (50, 15, 660481279, 449650254),
    53: (50, 15, 352229765, 949737911),
    54: (50, 15, 1197518780, 166840558),
    55: (50, 15, 1376020303, 483922052),
    56: (50, 15, 2106639239, 955932362),
    57: (50, 15, 1765352082, 1209982549),
    58: (50, 15, 1105092880, 1349003108),
    59: (50, 15, 907248070, 919544535),
    60: (50, 15, 2011630757, 1845447001),
    61: (50, 20, 8493988, 2738939),
    62: (50, 20, 1991925010, 709517751),
    63: (50, 20, 342093237, 786960785),
    64: (50, 20, 1634043183, 973178279),
    65: (50, 20, 341706507, 286513148),
    66: (50, 20, 320167954, 1411193018),
    67: (50, 20, 1089696753, 298068750),
    68: (50, 20, 433032965, 1589656152),
    69: (50, 20, 615974477, 331205412),
    70: (50, 20, 236150141, 592292984),
    71: (100, 20, 302034063, 1203569070),
    72: (100, 20, 1437643198, 1692025209),
    73: (100, 20, 1792475497, 1039908559),
    74: (100, 20, 1647273132, 1012841433),
    75: (100, 20, 696480901, 1689682358),
    76: (100, 20, 1785569423, 1092647459),
    77: (100, 20, 117806902, 739059626),
    78: (100, 20, 1639154709, 1319962509),
    79: (100, 20, 2007423389, 749368241),
    80: (100, 20, 682761130, 262763021),
}
"""Taillard's (jobs, machines, time seed, machine seed) of ta01-ta80."""

BEST_KNOWN: dict[int, int] = {
    41: 2005, 42: 1937, 43: 1846, 44: 1979, 45: 2000,
    46: 2004, 47: 1889, 48: 1937, 49: 1960, 50: 1923,
    51: 2760, 52: 2756, 53: 2717, 54: 2839, 55: 2679,
    56: 2781, 57: 2943, 58: 2885, 59: 2655, 60: 2723,
    61: 2868, 62: 2869, 63: 2755, 64: 2702, 65: 2725,
    66: 2845, 67: 2825, 68: 2784, 69: 3071, 70: 2995,
    71: 5464, 72: 5181, 73: 5568, 74: 5339, 75: 5392,
    76: 5342, 77: 5436, 78: 5394, 79: 5358, 80: 5183,
}  # fmt: skip
"""Best-known makespans (upper bounds) of ta41-ta80; see the module's sources."""


class _Lcg:
    """Taillard's ``unif`` with its seed as state."""

    def __init__(self, seed: int) -> None:
        if not 0 < seed < _M:
            raise ValueError(f"seed must be in 1..{_M - 1}, got {seed}")
        self.seed = seed

    def unif(self, low: int, high: int) -> int:
        """A whole number in ``low..high``, Taillard's way (Schrage's product)."""
        k = self.seed // _B
        self.seed = _A * (self.seed % _B) - k * _C
        if self.seed < 0:
            self.seed += _M
        return low + int(self.seed / _M * (high - low + 1))


def generate(
    jobs: int, machines: int, time_seed: int, machine_seed: int, name: str = ""
) -> JsspInstance:
    """A job-shop instance by Taillard's generator.

    Parameters
    ----------
    jobs, machines : int
        The size n x m (every job visits every machine once).
    time_seed, machine_seed : int
        The two seeds, each in ``1..2^31 - 2``.
    name : str
        The instance's name (default ``tai{n}x{m}-{time seed}``).

    Raises
    ------
    ValueError
        When a size is not positive or a seed is out of range.
    """
    if jobs < 1 or machines < 1:
        raise ValueError(f"jobs and machines must be positive, got {jobs} x {machines}")
    times_rng, machines_rng = _Lcg(time_seed), _Lcg(machine_seed)
    times = [[times_rng.unif(1, 99) for _ in range(machines)] for _ in range(jobs)]
    rows: list[tuple[JsspOperation, ...]] = []
    for j in range(jobs):
        order = list(range(machines))
        for k in range(machines):
            other = machines_rng.unif(k, machines - 1)
            order[k], order[other] = order[other], order[k]
        rows.append(tuple(JsspOperation(mc, d) for mc, d in zip(order, times[j], strict=True)))
    return JsspInstance(name or f"tai{jobs}x{machines}-{time_seed}", machines, tuple(rows))


def ta(number: int) -> JsspInstance:
    """Taillard's instance ``ta{number:02d}`` (1..80) from its published seeds."""
    if number not in SEEDS:
        raise ValueError(f"Taillard's job shops are ta01..ta80, not {number}")
    n, m, ts, ms = SEEDS[number]
    return generate(n, m, ts, ms, name=f"ta{number:02d}")


def lower_bound(instance: JsspInstance) -> int:
    """The simple bound: the largest machine load or job length."""
    loads = [0] * instance.machines
    for job in instance.jobs:
        for op in job:
            loads[op.machine] += op.duration
    longest = max((sum(op.duration for op in job) for job in instance.jobs), default=0)
    return max([longest, *loads])


def to_text(instance: JsspInstance) -> str:
    """The instance in the shared ``n m`` + ``machine time`` rows format."""
    head = f"# {instance.name}: Taillard 1993 generator\n{len(instance.jobs)} {instance.machines}\n"
    rows = (" ".join(f"{op.machine} {op.duration}" for op in job) for job in instance.jobs)
    return head + "\n".join(rows) + "\n"
