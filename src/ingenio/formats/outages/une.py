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
a no-break or thin space, a dot or a comma (``1 950``, ``1.950``, ``1,950``: MW
are never given to three decimals); ``36,5`` is a decimal comma. The phrasing
varies between notes (2022-2026) and is matched around the key nouns, not in one
word order (see :func:`parse_une_report`). Accents and case do not matter. The
déficit must equal demanda - disponibilidad (1 MW tolerance); a missing déficit
is computed; a missing afectación is the déficit plus ``margin_mw`` (70 MW by
default, the 2022-25 rule).

:func:`parse_une` then applies the rotation model
(:mod:`ingenio.energy.rotation`) and returns the blocks' windows.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ingenio.domain import N_, said
from ingenio.energy.rotation import Figure, UneReport, rotation_plan
from ingenio.formats.outages.feed import (
    FeedWindow,
    OutageFeed,
    ParseOptions,
    Problems,
    local_moment,
    make_feed,
    year_problem,
    zone_of,
)

MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo")

_NUM = r"(\d[^\n]{0,14}?)"
_MW = r"\s*(?:mw|megawatts?|megavatios?)\b"
_GROUPED = re.compile(r"^\d{1,3}(?:[ \u00a0\u2009\u202f.]\d{3})+$")


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
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        # 1,950: MW are never given to three decimals, so a comma before three
        # digits groups thousands (as some outlets write the UNE's figures)
        return float(text.replace(",", ""))
    m = re.fullmatch(r"(\d{1,3}(?:[ \u00a0\u2009\u202f.]\d{3})*|\d+),(\d{1,2})", text)
    if m:
        return float(re.sub(r"\D", "", m.group(1)) + "." + m.group(2))
    raise ValueError(N_("not a number of MW (thousands grouped by a space or a dot)"))


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

    def one_in(self, pattern: str, what: str, spans: list[tuple[int, int]]) -> Figure | None:
        """The single figure ``pattern`` captures in the spans; a problem when mentions differ."""
        found = [f for lo, hi in spans for f in self.figures(pattern, lo, hi)]
        if len({f.mw for f in found}) > 1:
            lines = ", ".join(str(f.line) for f in found)
            msg = f"{what} is given {len(found)} times with different values (lines {lines})"
            self.problems.add(found[1].line, msg, [f.mw for f in found])
            return None
        return found[0] if found else None

    def first(self, pattern: str, start: int, end: int) -> Figure | None:
        """The first figure ``pattern`` captures in ``[start, end)``, if any."""
        found = self.figures(pattern, start, end)
        return found[0] if found else None


# A forecast verb ("se estima", "pronostica", "se prevé", "se espera"), then up to a
# sentence of other words ("para la hora pico nocturna de este martes", "para este
# horario", even the demanda first) before "disponibilidad". Dots inside numbers
# (1.950) do not end the sentence; a.m./p.m. are masked before matching.
_VERB = r"\b(?:estima|pronostica|preve|prevee|espera|calcula)\w*"
_IN_SENTENCE = r"(?:[^.\n]|\.(?=\d)|\n(?!\s*\n)){0,200}?"
_PEAK = _VERB + _IN_SENTENCE + r"\bdisponibilidad\b"
_GAP = r"(?:[^\d.\n]|\n(?!\s*\n)){0,80}?"  # words, no number, no sentence end
_STRICT_NUM = r"(?<!\S)(\d[\d \u00a0\u2009\u202f.,]{0,12}?)"  # digits and separators only
_NOT_PEAK = r"mediodia|\bde\s+la\s+media\b|\bdiurno|\bayer\b|\bfue\b"
_CLOCK_ANY = r"(\d{1,2})(?:(?::|\.|\s+y\s+)(\d{2}))?\s*(horas|hrs|h\b|am_*|pm_*)?"


def _mask(folded: str) -> str:
    """``a.m.``/``p. m.`` become ``am__``/``pm___`` (same length): their dots end no sentence."""
    return re.sub(
        r"\b([ap])\.\s?m\.", lambda m: m.group(1) + "m" + "_" * (len(m.group(0)) - 2), folded
    )


def _sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence: ends at a dot before a space, or a blank line."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"\.(?=\s|$)|\n\s*\n", text):
        if text[start : m.start()].strip():
            out.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def _clock(m: re.Match[str], first: int) -> str | None:
    """``HH:MM`` from a :data:`_CLOCK_ANY` match (groups ``first`` .. ``first + 2``)."""
    hour, minute, suffix = m.group(first), m.group(first + 1), m.group(first + 2) or ""
    if minute is None and not suffix:
        return None
    h = int(hour)
    if suffix.startswith("pm") and h < 12:
        h += 12
    elif suffix.startswith("am") and h == 12:
        h = 0
    if h > 23 or int(minute or 0) > 59:
        return None
    return f"{h:02d}:{int(minute or 0):02d}"


def parse_une_report(text: str, source: str, margin_mw: float = 70.0) -> UneReport:
    """Read the figures of a UNE daily report (module docstring).

    The sentences are classified, not matched in one word order: the peak
    forecast is the sentence where a forecast verb (estima, pronostica, prevé,
    espera) precedes "disponibilidad"; its afectación may follow in the next
    sentence ("De mantenerse las condiciones previstas ... se pronostica una
    afectación de 267 MW en este horario"). The morning status is the sentence
    with "disponibilidad ... a las 7:00 horas / 7 a.m."; the midday forecast a
    forecast sentence about the mediodía, "la media" or the horario diurno;
    yesterday's maximum the "máxima afectación ... (fue) (de) N MW a las HH:MM".

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
    masked = _mask(r.folded)
    r.folded = masked
    sentences = _sentences(masked)
    peak_spans: list[tuple[int, int]] = []
    for i, (lo, hi) in enumerate(sentences):
        if not re.search(_PEAK, masked[lo:hi]):
            continue
        peak_spans.append((lo, hi))
        if not re.search(r"afectacion", masked[lo:hi]) and i + 1 < len(sentences):
            nlo, nhi = sentences[i + 1]
            follow = masked[nlo:nhi]
            if re.search(r"afectacion", follow) and not re.search(_NOT_PEAK, follow):
                peak_spans.append((nlo, nhi))
    if not peak_spans:
        problems.add(
            None,
            "no peak forecast found: expected a sentence like 'se estima una "
            "disponibilidad de 1 950 MW y una demanda maxima de 3 250 MW'",
        )
        problems.raise_if_any()
    lo = peak_spans[0][0]
    avail = r.one_in(r"\bdisponibilidad\b" + _GAP + _NUM + _MW, "disponibilidad", peak_spans)
    demand = r.one_in(
        r"(?:demanda\s+maxima|maxima\s+demanda)\b" + _GAP + _NUM + _MW, "demanda maxima", peak_spans
    )
    deficit = r.one_in(r"(?<!por )\bdeficit\b" + _GAP + _NUM + _MW, "deficit", peak_spans)
    afect = r.one_in(r"\bafectacion(?:es)?\b" + _GAP + _NUM + _MW, "afectacion", peak_spans)
    if avail is None and not problems:
        problems.add(r.line(lo), said(N_("the peak forecast gives no disponibilidad in MW")))
    if demand is None and not problems:
        problems.add(r.line(lo), said(N_("the peak forecast gives no demanda maxima in MW")))
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
    status_time: str | None = None
    status: tuple[Figure | None, Figure | None, Figure | None] = (None, None, None)
    mid_spans: list[tuple[int, int]] = []
    yest: tuple[Figure | None, str | None] = (None, None)
    for slo, shi in sentences:
        if (slo, shi) in peak_spans:
            continue
        sentence = masked[slo:shi]
        at = re.search(r"\ba\s+las\s+" + _CLOCK_ANY, sentence)
        where = re.search(r"\bdisponibilidad\b", sentence)
        if status_time is None and at and where:
            if not re.search(_VERB, sentence[: where.start()]):
                status_time = _clock(at, 1)
                status = (
                    r.first(r"\b(?:es|era|fue)\s+(?:de\s+)?" + _NUM + _MW, slo, shi),
                    r.first(r"\bdemanda\b" + _GAP + _NUM + _MW, slo, shi),
                    r.first(_STRICT_NUM + r"\s*mw\s+afectad", slo, shi),
                )
        if re.search(_VERB, sentence) and re.search(r"mediodia|\bla\s+media\b|\bdiurno", sentence):
            mid_spans.append((slo, shi))
            continue
        most = re.search(
            r"(?:maxima\s+afectacion|afectacion\s+maxima)"
            + _GAP
            + _NUM
            + r"\s*mw\b,?\s*a\s+las\s+"
            + _CLOCK_ANY,
            sentence,
        )
        if yest[0] is None and most and not re.search(_VERB, sentence[: most.start()]):
            yest = (r.first(_NUM + r"\s*mw\b", slo + most.start(1), shi), _clock(most, 2))
    mid = r.one_in(r"\bafectacion\b" + _GAP + _NUM + _MW, "midday afectacion", mid_spans)
    report = UneReport(
        day=day,
        availability=avail,
        demand=demand,
        deficit=deficit,
        afectacion=afect,
        afectacion_derived=derived,
        status_time=status_time,
        status_availability=status[0],
        status_demand=status[1],
        status_affected=status[2],
        midday_afectacion=mid,
        yesterday_max=yest[0],
        yesterday_max_time=yest[1],
    )
    problems.raise_if_any()
    return report


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
    bad_year = year_problem(int(m.group(4)))
    if bad_year:
        r.problems.add(r.line(m.start()), bad_year, r.text[m.start() : m.end()])
        return None
    try:
        day = date(int(m.group(4)), MONTHS.index(m.group(3)) + 1, int(m.group(2)))
    except ValueError:
        r.problems.add(r.line(m.start()), said(N_("not a real date")), r.text[m.start() : m.end()])
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
