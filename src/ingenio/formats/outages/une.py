"""The Cuban UNE daily report (Spanish text): its figures and the blocks' hours off.

The Unión Eléctrica publishes every morning a text such as::

    La disponibilidad del SEN a las 07:00 horas es de 1 690 MW y la demanda
    2 850 MW con 1 180 MW afectados por déficit de capacidad de generación.
    ...
    La máxima afectación por déficit de capacidad de generación fue de 1 532 MW
    a las 18:40 horas, coincidente con el horario pico.
    ...
    Para el horario pico se estima una disponibilidad de 1 950 MW y una demanda
    máxima de 3 250 MW, para un déficit de 1 300 MW, por lo que de mantenerse
    estas condiciones se prevé una afectación de 1 370 MW en este horario.

:func:`parse_une_report` reads the **peak forecast** (disponibilidad, demanda
máxima, déficit, afectación: required are the first two, and the last or the
déficit), the morning status, the midday forecast, yesterday's maximum and the
day (``lunes 6 de abril de 2026``). Numbers may group thousands with a space,
a no-break or thin space, or a dot (``1 950``, ``1.950``); ``1,950`` is refused
as ambiguous. Accents and case do not matter. The déficit must equal demanda -
disponibilidad (1 MW tolerance); a missing déficit is computed; a missing
afectación is the déficit plus ``margin_mw`` (70 MW by default, the 2022-25 rule).

:func:`parse_une` then applies the rotation model
(:mod:`ingenio.energy.rotation`) and returns the blocks' windows.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ingenio.energy.rotation import Figure, UneReport, rotation_plan
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    local_moment,
    make_feed,
    zone_of,
)

MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")

_NUM = r"(\d[^\n]{0,14}?)"
_MW = r"\s*mw\b"
_GROUPED = re.compile(r"^\d{1,3}(?:[ \u00a0\u2009\u202f.]\d{3})+$")
_CLOCK = r"(\d{1,2}:\d{2})"


def _fold(text: str) -> str:
    """Lower case without accents, same length (one character per character)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base.lower() if len(base) == 1 else ch.lower())
    return "".join(out)


def read_mw(raw: str) -> float:
    """A number of MW as the UNE writes it (``1 950``, ``1.950``, ``36,5``).

    Raises
    ------
    ValueError
        When it is not a number or its separators are ambiguous.
    """
    text = raw.strip().rstrip(".,").strip()
    if re.fullmatch(r"\d+", text):
        return float(text)
    if _GROUPED.match(text):
        return float(re.sub(r"\D", "", text))
    m = re.fullmatch(r"(\d{1,3}(?:[ \u00a0\u2009\u202f.]\d{3})*|\d+),(\d{1,2})", text)
    if m:
        return float(re.sub(r"\D", "", m.group(1)) + "." + m.group(2))
    raise ValueError("not a number of MW (thousands grouped by a space or a dot)")


class _Reader:
    """Finds figures in the folded text and records line numbers and problems."""

    def __init__(self, text: str, problems: Problems) -> None:
        self.text = text
        self.folded = _fold(text)
        self.problems = problems

    def line(self, index: int) -> int:
        return self.text.count("\n", 0, index) + 1

    def figures(self, pattern: str, start: int = 0, end: int | None = None) -> list[Figure]:
        """Every number the (folded) pattern captures, in ``[start, end)``."""
        out: list[Figure] = []
        rx = re.compile(pattern)
        for m in rx.finditer(self.folded, start, len(self.folded) if end is None else end):
            raw = self.text[m.start(1) : m.end(1)]
            try:
                out.append(Figure(read_mw(raw), self.line(m.start(1))))
            except ValueError as e:
                self.problems.add(self.line(m.start(1)), str(e), raw.strip())
        return out

    def one(self, pattern: str, what: str, start: int = 0, end: int | None = None) -> Figure | None:
        """The single figure ``pattern`` captures; a problem when it differs between mentions."""
        found = self.figures(pattern, start, end)
        if len({f.mw for f in found}) > 1:
            lines = ", ".join(str(f.line) for f in found)
            msg = f"{what} is given {len(found)} times with different values (lines {lines})"
            self.problems.add(found[1].line, msg, [f.mw for f in found])
            return None
        return found[0] if found else None


_PEAK = r"(?:estima|pronostica|preve|prevee)\w*\s+(?:para\s+\w+\s+)?una\s+disponibilidad"


def parse_une_report(text: str, source: str, margin_mw: float = 70.0) -> UneReport:
    """Read the figures of a UNE daily report (module docstring).

    Parameters
    ----------
    text
        The report's text, as published.
    source
        The file name, for messages.
    margin_mw
        afectación - déficit when the report gives no afectación.

    Returns
    -------
    UneReport
        The figures, each with its line.

    Raises
    ------
    DomainError
        When the peak forecast is missing or unreadable, or its figures disagree.
    """
    problems = Problems(source)
    r = _Reader(text, problems)
    day = _day(r)
    peaks = list(re.finditer(_PEAK, r.folded))
    if not peaks:
        problems.add(
            None,
            "no peak forecast found: expected a sentence like 'se estima una "
            "disponibilidad de 1 950 MW y una demanda maxima de 3 250 MW'",
        )
        problems.raise_if_any()
    lo = peaks[0].start()
    hi = r.folded.find("\n\n", peaks[-1].end())
    hi = len(r.folded) if hi < 0 else hi
    avail = r.one(r"disponibilidad\s+(?:del\s+sen\s+)?de\s+" + _NUM + _MW, "disponibilidad", lo, hi)
    demand = r.one(r"demanda\s+maxima\s+(?:de\s+)?" + _NUM + _MW, "demanda maxima", lo, hi)
    deficit = r.one(r"deficit\s+de\s+" + _NUM + _MW, "deficit", lo, hi)
    afect = r.one(r"afectacion\s+(?:maxima\s+)?de\s+" + _NUM + _MW, "afectacion", lo, hi)
    if avail is None and not problems:
        problems.add(r.line(lo), "the peak forecast gives no disponibilidad in MW")
    if demand is None and not problems:
        problems.add(r.line(lo), "the peak forecast gives no demanda maxima in MW")
    derived = False
    if avail is not None and demand is not None:
        gap = demand.mw - avail.mw
        if deficit is None:
            deficit = Figure(gap, avail.line)
        elif abs(deficit.mw - gap) > 1:
            msg = f"deficit must be demanda - disponibilidad = {gap:g} MW"
            problems.add(deficit.line, msg, deficit.mw)
        if afect is None:
            afect, derived = Figure(max(0.0, deficit.mw + margin_mw), deficit.line), True
        elif afect.mw > demand.mw:
            problems.add(afect.line, f"afectacion exceeds the demanda {demand.mw:g} MW", afect.mw)
    problems.raise_if_any()
    assert avail is not None and demand is not None and deficit is not None and afect is not None
    status = re.search(
        r"disponibilidad\s+del\s+sen\s+a\s+las\s+"
        + _CLOCK
        + r"\s+horas\s+(?:es|era|fue)\s+de\s+"
        + _NUM
        + _MW
        + r"\s+y\s+(?:la\s+)?demanda\s+(?:de\s+)?"
        + _NUM
        + _MW
        + r"(?:\s*,?\s*con\s+"
        + _NUM
        + r"\s*mw\s+afectados)?",
        r.folded,
    )
    mid = r.one(
        r"mediodia\s+se\s+(?:estima|pronostica|preve)\w*\s+una\s+afectacion\s+de\s+" + _NUM + _MW,
        "midday afectacion",
    )
    yest = re.search(
        r"(?:maxima\s+afectacion|afectacion\s+maxima)[^.\n]*?(?:fue\s+)?de\s+"
        + _NUM
        + r"\s*mw\s+a\s+las\s+"
        + _CLOCK,
        r.folded,
    )
    report = UneReport(
        day=day,
        availability=avail,
        demand=demand,
        deficit=deficit,
        afectacion=afect,
        afectacion_derived=derived,
        status_time=status.group(1) if status else None,
        status_availability=_group(r, status, 2),
        status_demand=_group(r, status, 3),
        status_affected=_group(r, status, 4),
        midday_afectacion=mid,
        yesterday_max=_group(r, yest, 1),
        yesterday_max_time=yest.group(2) if yest else None,
    )
    problems.raise_if_any()
    return report


def _group(r: _Reader, m: re.Match[str] | None, group: int) -> Figure | None:
    if m is None or m.group(group) is None:
        return None
    raw = r.text[m.start(group) : m.end(group)]
    try:
        return Figure(read_mw(raw), r.line(m.start(group)))
    except ValueError as e:
        r.problems.add(r.line(m.start(group)), str(e), raw.strip())
        return None


def _day(r: _Reader) -> date | None:
    """The report's day: ``[weekday] 6 de abril [de|del] 2026`` (the weekday must agree)."""
    m = re.search(
        r"(?:("
        + "|".join(WEEKDAYS)
        + r")\s+)?(\d{1,2})\s+de\s+("
        + "|".join(MONTHS)
        + r")\s+(?:de|del)\s+(\d{4})",
        r.folded,
    )
    if m is None:
        return None
    try:
        day = date(int(m.group(4)), MONTHS.index(m.group(3)) + 1, int(m.group(2)))
    except ValueError:
        r.problems.add(r.line(m.start()), "not a real date", r.text[m.start() : m.end()])
        return None
    if m.group(1) and WEEKDAYS.index(m.group(1)) != day.weekday():
        real = WEEKDAYS[day.weekday()]
        msg = f"the weekday does not match the date ({day.isoformat()} is a {real})"
        r.problems.add(r.line(m.start()), msg, r.text[m.start() : m.end()])
    return day


def parse_une(text: str, source: str, options: ParseOptions) -> OutageFeed:
    """Read a UNE report and turn its peak forecast into windows per block.

    Parameters
    ----------
    text
        The report's text.
    source
        The file name, for messages.
    options
        ``une`` holds the rotation model's parameters; ``day`` the day when the
        text does not give one (the text wins when both are given and agree;
        they must agree); ``timezone`` the zone of the local hours.

    Returns
    -------
    OutageFeed
        Areas are the rotating blocks (``une.blocks``), each with one window
        per run of hours of equal probability and day; ``forecast`` and
        ``rotation`` hold the figures. Without a day the feed has the figures
        and no windows (a note says so).

    Raises
    ------
    DomainError
        For an unreadable report or unusable parameters.
    """
    zone = zone_of(options.timezone, source)
    params = options.une
    problems = Problems(source)
    for name, message, value in params.problems():
        problems.add(None, f"une.{name}: {message}", value)
    problems.raise_if_any()
    report = parse_une_report(text, source, params.margin_mw)
    day = report.day or options.day
    if report.day and options.day and report.day != options.day:
        problems.add(None, f"the report is for {report.day.isoformat()}", options.day.isoformat())
        problems.raise_if_any()
    plan = rotation_plan(report.availability.mw, report.demand.mw, report.afectacion.mw, params)
    notes = [
        f"national afectacion {report.afectacion.mw:g} MW at the peak "
        f"({report.share_dark:.0%} of the demand); Havana share {params.share:g}: "
        f"{plan.havana_mw[_peak_hour(params.demand_profile)]:.0f} MW; "
        f"{plan.hours_per_block:.1f} expected hours off per block and day",
    ]
    if report.afectacion_derived:
        notes.append(f"afectacion not in the text: deficit + {params.margin_mw:g} MW")
    if any(plan.shortfall_mw):
        notes.append(
            f"the rotating blocks cannot shed Havana's part in "
            f"{sum(1 for s in plan.shortfall_mw if s > 0)} hour(s): all blocks off"
        )
    rows: list[tuple[str, FeedWindow]] = []
    span = None
    if day is None:
        notes.append("no day in the report: give --date to get windows")
    else:
        windows = plan.windows(day, params.days, ZoneInfo(options.timezone))
        rows = [
            (b, FeedWindow(s, e, p, 0, "UNE forecast"))
            for b in params.blocks
            for s, e, p in windows
        ]
        first = local_moment_safe(day, zone)
        last = local_moment_safe(date.fromordinal(day.toordinal() + params.days), zone)
        span = (first, last)
    feed = make_feed("une", source, rows, options.timezone, notes, span)
    areas = {b: feed.areas.get(b, ()) for b in params.blocks} if day else dict(feed.areas)
    return OutageFeed(feed.format, source, areas, span, options.timezone, feed.notes, report, plan)


def _peak_hour(profile: tuple[float, ...]) -> int:
    return max(range(24), key=lambda h: (profile[h], -h))


def local_moment_safe(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of ``day`` (the zoneinfo way when midnight is skipped)."""
    try:
        return local_moment(datetime.combine(day, time()), zone)
    except ValueError:
        return datetime.combine(day, time(), tzinfo=zone)
