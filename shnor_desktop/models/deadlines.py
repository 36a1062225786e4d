"""Deadlines of a roadmap read from Russian free text (DESIGN contract, issue 8 §2).

:func:`parse_deadline` turns what an official wrote in the «Сроки» column
(«ежегодно, август», «Январь 2022-май 2024», «до 01.09.2023», «по заявке») into
a :class:`Deadline`: the text as written, a :class:`DeadlineKind` and the list of
inclusive ``(start, end)`` date intervals — every occurrence inside the
programme's period, clipped to it, ordered, overlapping ones merged (touching
ones are kept apart, so «ежемесячно» stays one interval a month).  It never
raises: a phrase it cannot read is ``"unknown"`` with no intervals and its text
kept, so saving is never blocked; a manual setting of the intervals (kept by
the roadmap, ``models/roadmap.py``) wins over the parser.

Semantics (the seeds' roadmaps 000, 002, 003, 004 are the test table):

* **A month** is its first to its last day; «Январь – март 2022», «Январь
  2022-май 2024» and «май-июнь 2021» are ranges.  A year written once serves
  the whole range («Январь – март 2022»); a range whose end month comes before
  its start crosses the new year («ноябрь – февраль 2023» is 11.2022–02.2023).
  Two month expressions side by side with nothing between them are a range
  whose dash was lost in copying: «сентябрь март» (seed 000) is September to
  March of the next year (school-year order), «ноябрь 2023 г. март 2024» (seed
  004) November 2023 to March 2024.  A comma, «и», a semicolon, a line break
  or other words separate items: «декабрь 2020\\nянварь 2021» is two months.
  «Сентябрь, 2021»: a year after a comma belongs to the month before it, and a
  year closing a list gives its year to the yearless months of that list
  («май, июнь 2023»).
* **Without a year** a month (day, quarter, range) means every occurrence in
  the period: «сентябрь» in a 2022–2024 programme is September 2022, 2023 and
  2024.  The kind is ``"recurring"`` when the text says so («ежегодно»,
  «каждый», «2 раза в год») or when the period is longer than a year and the
  phrase occurs at least twice in it; in a period of one (school) year it is a
  ``"period"``.  An occurrence only partly inside the period is clipped.
* **Recurrence**: «2 раза в год (май, декабрь)» is May and December of every
  year; «ежегодно, август» every August; «август 2023 г., ежегодно» August 2023
  and every August after it (never before the year written).  «Ежегодно» or
  «2-3 раза в год» without a month is one interval per programme year counted
  from the period's start (calendar years for a calendar period, school years
  for a school-year period); a year or school year written with it bounds
  those intervals.  «Ежемесячно», «ежеквартально», «еженедельно», «каждую
  четверть», «раз в полугодие» are the calendar months, quarters, weeks (Mon–
  Sun), school quarters and school half-years of the period.
* **Quarters and half-years**: «I квартал 2023», «4 кв.» are calendar quarters
  (every year when no year is written).  A half-year with a calendar year is the
  calendar half («I полугодие 2023» is January–June); without a year, or with a
  school year, it is the school half — first September–December, second
  January–May.  «В конце каждого полугодия» is December and May of every year;
  «в конце/начале учебного года» May/September.  School quarters («четверть»):
  September–October, November–December, January–March, April–May.
* **Years**: «2021г» is the calendar year; «2023-2024 гг.» the two years.  A
  school year («2023-24 уч. год», «2023/2024 уч.год», «2022-23», «2023/24») is
  1 September to 31 May (the summer is not teaching time).
* **Continuous**: «в течение года», «в течение всего периода», «постоянно»,
  «систематически», «регулярно», «ежедневно» are the whole period (for «в течение года»:
  the whole calendar/school year(s) of the period, which is the period).  «В
  течение учебного года» is 1 September – 31 May of each school year in the
  period.  «В течение 2023-2024 учебного года» (a span after «в течение») is
  that span, kind ``"continuous"``.
* **Milestones**: «до 01.09.2023», «до 1 августа 2023 г.», «к 1 сентября», «не
  позднее 01.09.2023» are a one-day ``"date"`` on that day (the day written, not
  the day before; not a span from the period's start).  «До сентября 2023» is
  1 September 2023, «до конца 2023 года» 31 December 2023.  A date written as
  01.09.2023 (or 01.09.23, or «1 сентября 2023») alone is a ``"date"`` as well;
  two dates joined by a dash, or «с … по …», are a ``"period"``; «с сентября
  2023» runs to the period's end.
* **On demand**: «по заявке», «по мере необходимости», «по договору», «по плану
  работы УО», «по графику …», «в соответствии с …», «по итогам …» are
  ``"on_demand"`` with no intervals — unless the phrase also names a time,
  which then wins («По плану работы комитета образования, март»; «В течение
  года по заявке руководителя школы»).
* Precedence of kinds: recurring (the text says it recurs) > continuous
  (whole period) > a time written (continuous after «в течение», recurring by
  years, date, period) > on demand > unknown.
* ``clipped`` is set when a time written with its year lies (partly) outside
  the period — «Август 2023» in the 2023/24 school year gives no interval and
  ``clipped``; the screens may then say «срок вне периода программы».

Month names are read in any case and form (январь, января, январе, янв.), ё as
е, every kind of dash, «г.», «гг.», «г.г.», «года», «уч.», HTML tags dropped.
Speed: a cell takes about 20 µs (median 18 µs over the seed phrases; a long sentence
with dates among words about 0.1 ms); 10 000 parses of the seed phrases take
about 0.22 s (``tests/models/test_deadlines.py`` checks < 1 s).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Final, NamedTuple

Span = tuple[date, date]
"""An inclusive interval of dates."""


# The brief fixes ``(str, Enum)``; note that ``str()``/f-strings give «DeadlineKind.DATE»,
# so write ``kind.value`` (sqlite3 binds the value by itself).
class DeadlineKind(str, Enum):  # noqa: UP042
    """What kind of deadline a phrase states (stored as its value)."""

    DATE = "date"
    """One or more single days (milestones): «до 01.09.2023»."""
    PERIOD = "period"
    """One or more spans: «Январь – март 2022», «2023-24 уч. год»."""
    RECURRING = "recurring"
    """Repeats in the period: «ежегодно, август», «2 раза в год (май, декабрь)»."""
    CONTINUOUS = "continuous"
    """All the time: «постоянно», «в течение года», «в течение всего периода»."""
    ON_DEMAND = "on_demand"
    """When asked or by another plan: «по заявке», «по плану работы УО»; no intervals."""
    UNKNOWN = "unknown"
    """Not read; no intervals, the text is kept and the activity shows as unscheduled."""


@dataclass(frozen=True)
class Deadline:
    """A deadline as written and as read.

    ``intervals`` is a fresh list per result (the contract's type); treat it as
    read-only.  ``clipped`` tells that a time written with its year fell
    (partly) outside the period.
    """

    text: str
    kind: DeadlineKind
    intervals: list[Span]
    clipped: bool = False

    def __hash__(self) -> int:
        # The generated hash would hash the list and fail.
        return hash((self.text, self.kind, tuple(self.intervals), self.clipped))

    @property
    def recognised(self) -> bool:
        """True when the phrase was read (any kind but ``"unknown"``)."""
        return self.kind is not DeadlineKind.UNKNOWN

    @property
    def unscheduled(self) -> bool:
        """True when no interval came out and the kind does not excuse it (the UI marks it)."""
        return not self.intervals and self.kind not in (
            DeadlineKind.CONTINUOUS,
            DeadlineKind.ON_DEMAND,
        )

    @property
    def start(self) -> date | None:
        """The first day of the first interval, or None."""
        return self.intervals[0][0] if self.intervals else None

    @property
    def end(self) -> date | None:
        """The last day of the last interval, or None."""
        return self.intervals[-1][1] if self.intervals else None


def normalise_intervals(spans: Iterable[Span], period_start: date, period_end: date) -> list[Span]:
    """Clip ``spans`` to the period, drop empty ones, order them and merge overlapping ones.

    Spans given backwards (end before start) are turned round.  The parser
    uses it, and so can a manual setting of the intervals.
    """
    clipped: list[Span] = []
    for first, last in spans:
        start, end = (first, last) if first <= last else (last, first)
        start, end = max(start, period_start), min(end, period_end)
        if start <= end:
            clipped.append((start, end))
    clipped.sort()
    merged: list[Span] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def parse_deadline(text: str, period_start: date, period_end: date) -> Deadline:
    """Read a deadline phrase for a programme running ``period_start``..``period_end``.

    Never raises (see the module docstring for what is read and how).
    """
    try:
        return _parse(text, period_start, period_end)
    except (ValueError, OverflowError):
        # Only date arithmetic at the very edge of ``date`` (years 1 and 9999)
        # can get here; a deadline must never stop an activity being saved.
        return Deadline(text, DeadlineKind.UNKNOWN, [])


# --------------------------------------------------------------------------- reading the text

_DASHES: Final = {
    ord(ch): "-" for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"
}
_DASHES.update({ord(ch): " " for ch in "\u00a0\u2007\u202f\u2009\u200b\t\r\f\v"})
_TAGS: Final = re.compile(r"<[^<>]{0,200}>")

_YEARLY, _HALF, _QUARTER, _SCHOOL_QUARTER, _MONTHLY, _WEEKLY = range(6)

# Phrases read as a whole before the tokens: recurrence, continuity, on-demand
# forms, and a few fixed expressions rewritten into months.  Each match is
# replaced by a hard separator (or by its rewriting).
_PHRASES: Final = re.compile(
    r"""
    # Every phrase starts a word with one of these letters (or a digit): a
    # cheap test that spares the alternatives at every other position.
    (?<!\w)(?=[вежкпнрсдоутч\d])
    (?:
    (?P<end_half>(?:в\s+)?(?:конц|конец|окончани)\w*\s+(?P<eh_each>кажд\w*\s+)?полугоди\w*)
  | (?P<end_school>(?:в\s+)?(?:конц|конец|окончани)\w*\s+(?P<es_each>кажд\w*\s+)?учебн\w*\s+год\w*)
  | (?P<start_school>(?:в\s+)?начал\w*\s+(?P<ss_each>кажд\w*\s+)?учебн\w*\s+год\w*)
  | (?P<end_year>(?:в\s+)?(?:конц|конец|окончани)\w*\s+(?P<ey_each>кажд\w*\s+)?
        (?:календарн\w*\s+)?год[ау]?(?!\w))
  | (?P<whole>в\s+течени[еи]\s+всего\s+(?:период|срок)\w*(?:\s+реализации)?(?:\s+программы)?
        | в\s+течени[еи]\s+(?:срока\s+)?(?:реализации\s+)?программы
        | на\s+протяжении\s+всего\s+(?:период|срок)\w*
        | (?<!\w)весь\s+период(?!\w)
        | (?<!\w)(?:постоянн|систематическ|ежедневн|круглогодичн|регулярн)\w*)
  | (?P<school_years>в\s+течени[еи]\s+(?:всего\s+)?учебн\w*\s+год\w*)
  | (?P<whole_year>в\s+течени[еи]\s+(?:всего\s+)?(?:календарн\w*\s+)?год[ау]?(?!\w))
  | (?P<during>в\s+течени[еи](?!\w))
  | (?P<yearly>(?<!\w)ежегодн\w*
        | (?<!\w)кажд\w*\s+(?:учебн\w*\s+)?год\w*
        | (?:(?<!\w)не\s+(?:менее|реже|более|чаще)\s+)?
          (?:\d{1,2}(?:\s*-\s*\d{1,2})?\s*|(?<!\w)(?:один|одного|два|двух|две|три|трех|четыре|пять)\s+)?
          (?<!\w)раз[а]?\s+в\s+(?:учебн\w*\s+)?год(?:у|а)?(?!\w))
  | (?P<half>(?:(?<!\w)\d{1,2}\s*)?(?<!\w)раз[а]?\s+в\s+(?:полугодие|полгода)
        | (?<!\w)кажд\w*\s+(?:полугоди\w*|полгода))
  | (?P<quarter>(?<!\w)ежекварталь\w*
        | (?<!\w)кажд\w*\s+квартал\w*
        | (?:(?<!\w)\d{1,2}\s*)?(?<!\w)раз[а]?\s+в\s+квартал(?!\w))
  | (?P<squarter>(?<!\w)кажд\w*\s+четверт\w*
        | (?:(?<!\w)\d{1,2}\s*)?(?<!\w)раз[а]?\s+в\s+четверть)
  | (?P<monthly>(?<!\w)ежемесячн\w*
        | (?<!\w)кажд\w*\s+месяц\w*
        | (?:(?<!\w)\d{1,2}\s*)?(?<!\w)раз[а]?\s+в\s+месяц(?!\w))
  | (?P<weekly>(?<!\w)еженедельн\w*
        | (?<!\w)кажд\w*\s+недел\w*
        | (?:(?<!\w)\d{1,2}\s*)?(?<!\w)раз[а]?\s+в\s+неделю)
  | (?P<on_demand>(?<!\w)по\s+(?:заявк|запрос|договор|согласовани|требовани|приказ|распоряжени
                     |решени|итогам|факту|вызову|приглашени|необходимост|срокам)\w*
        | (?<!\w)по\s+мере(?!\w)
        | (?<!\w)при\s+необходимост\w*
        | (?<!\w)по\s+(?:\w+\s+){0,2}?(?:план|график|календар|расписани)\w*
        | (?<!\w)в\s+соответствии\s+с(?!\w)
        | (?<!\w)согласно(?!\w))
  | (?P<not_later>(?<!\w)не\s+(?:позднее|позже)(?!\w))
    )
    """,
    re.VERBOSE,
)

# Fixed expressions read as the months they stand for (school half-years end in
# December and May; the school year starts in September and ends in May).
_REWRITES: Final = {
    "end_half": " конец декабрь , конец май ",
    "end_school": " конец май ",
    "start_school": " начало сентябрь ",
    "end_year": " конец декабрь ",
}

_FREQUENCY: Final = {
    "yearly": _YEARLY,
    "half": _HALF,
    "quarter": _QUARTER,
    "squarter": _SCHOOL_QUARTER,
    "monthly": _MONTHLY,
    "weekly": _WEEKLY,
}

# One token a match; the space between tokens is skipped by the engine.  The
# alternatives are split by their first character (a digit or a letter) so
# that a position fails fast: this regex is most of the parsing time.
_TOKENS: Final = re.compile(
    r"""
    (?=\d)(?:
        (?P<yr>(?<!\d)(?P<y1>(?:19|20|21)\d\d)\s*(?P<ysep>[/-])\s*(?P<y2>\d{4}|\d\d)(?!\d)
            (?P<uch>(?:\s*г{1,2}\.?)*\s*уч)?)
      | (?P<date>(?<![\d.])(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})(?:\.(?P<dy>\d{4}|\d\d))?(?!\d))
      | (?P<year>(?<!\d)(?:19|20|21)\d\d(?!\d))
      | (?P<q>(?<!\w)(?P<qn>[1-4])\s*-?\s*(?:й|ый|ой|ом)?\s*(?:квартал\w*|кв(?!\w)))
      | (?P<sq>(?<!\w)(?P<sqn>[1-4])\s*-?\s*(?:я|ая|ой|ую)?\s*четверт\w*)
      | (?P<h>(?<!\w)(?P<hn>[12])\s*-?\s*(?:е|ое|ом|м)?\s*полугоди\w*)
      | (?P<num>(?<![\d.])\d{1,2}(?![\d.]))
      | (?P<digits>\w+))
  | (?=[^\W\d])(?:
        (?P<qr>(?<!\w)(?P<qrn>iv|i{1,3})\s*-?\s*(?:квартал\w*|кв(?!\w)))
      | (?P<qw>(?<!\w)(?P<qo>перв|втор|трет|четв[её]рт)\w*\s+квартал\w*)
      | (?P<sqr>(?<!\w)(?P<sqrn>iv|i{1,3})\s*-?\s*четверт\w*)
      | (?P<sqw>(?<!\w)(?P<sqo>перв|втор|трет|четв[её]рт)\w*\s+четверт\w*)
      | (?P<hr>(?<!\w)(?P<hrn>ii|i)\s*-?\s*полугоди\w*)
      | (?P<hw>(?<!\w)(?P<ho>перв|втор)\w*\s+полугоди\w*)
      | (?P<month>(?<!\w)(?:(?P<mstem>январ|феврал|март|апрел|июн|июл|август
                                   |сентябр|октябр|ноябр|декабр)\w*
            | (?P<may>ма[йяюе])(?!\w)
            | (?P<mabbr>янв|февр|фев|мар|апр|авг|сент|сен|окт|нояб|ноя|дек)(?!\w)))
      | (?P<word>\w+))
  | (?P<dash>-)
  | (?P<comma>,)
  | (?P<hard>[;()\n«»"!?/\[\]])
    """,
    re.VERBOSE,
)

_MONTHS: Final = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
    "янв": 1,
    "фев": 2,
    "февр": 2,
    "мар": 3,
    "апр": 4,
    "авг": 8,
    "сен": 9,
    "сент": 9,
    "окт": 10,
    "ноя": 11,
    "нояб": 11,
    "дек": 12,
}
_ORDINALS: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "перв": 1, "втор": 2, "трет": 3}
# Words that neither carry a time nor separate two times: «ноябрь 2023 г. март 2024».
_TRANSPARENT: Final = frozenset(
    {"г", "гг", "год", "года", "году", "годы", "годов", "годом", "уч", "учебный", "учебного"}
    | {"учебном", "учебному", "учебн", "в", "во", "на", "за", "о", "об"}
)
_WORD_TOKENS: Final = {
    "до": "do",
    "к": "do",
    "ко": "do",
    "с": "from",
    "со": "from",
    "от": "from",
    "по": "to",
    "и": ",",
    "или": ",",
    "либо": ",",
}
_END_WORDS: Final = ("конц", "конец", "окончани")
_START_WORDS: Final = ("начал",)


class _Atom(NamedTuple):
    """A time written: from (year, m1, d1) to (year + years, m2, d2); year None = any year.

    ``d2`` may exceed the month's length (31 stands for «the last day»).
    """

    year: int | None
    m1: int
    d1: int
    years: int
    m2: int
    d2: int
    day: bool = False
    """A single day (a date or a milestone)."""
    coarse: bool = False
    """A year, years or a school year: a window, not an occurrence, under «ежегодно»."""
    open_end: bool = False
    """«с сентября 2023»: runs to the period's end."""


def _month(month: int, year: int | None) -> _Atom:
    return _Atom(year, month, 1, 0, month, 31)


def _school_year(year: int | None) -> _Atom:
    return _Atom(year, 9, 1, 1, 5, 31, coarse=True)


def _quarter(quarter: int, year: int | None) -> _Atom:
    return _Atom(year, 3 * quarter - 2, 1, 0, 3 * quarter, 31)


def _half(half: int, year: int | None, school: bool) -> _Atom:
    if not school:
        return _Atom(year, 6 * half - 5, 1, 0, 6 * half, 31)
    if half == 1:
        return _Atom(year, 9, 1, 0, 12, 31)
    return _Atom(None if year is None else year + 1, 1, 1, 0, 5, 31)


_SCHOOL_QUARTERS: Final = {1: (0, 9, 10), 2: (0, 11, 12), 3: (1, 1, 3), 4: (1, 4, 5)}


def _school_quarter(quarter: int, year: int | None) -> _Atom:
    shift, first, last = _SCHOOL_QUARTERS[quarter]
    return _Atom(None if year is None else year + shift, first, 1, 0, last, 31)


_MONTH_DAYS: Final = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(year: int | None, month: int) -> int:
    """The length of a month; a month without a year may have 29 February (leap years)."""
    if month == 2 and (year is None or year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return 29
    return _MONTH_DAYS[month]


class _Token(NamedTuple):
    kind: str
    a: int = 0
    b: int = 0
    c: int | None = None
    text: str = ""


class _Reading(NamedTuple):
    atoms: list[_Atom]
    frequency: int | None
    whole: bool
    during: bool
    on_demand: bool


def _normalise(text: str) -> str:
    folded = text.casefold().replace("ё", "е").translate(_DASHES)
    return _TAGS.sub(" ", folded) if "<" in folded else folded


def _read(text: str) -> _Reading:
    """Find the phrases and the times written in ``text``."""
    flags: set[str] = set()
    frequency: list[int] = []

    def phrase(match: re.Match[str]) -> str:
        group = match.lastgroup or ""
        if group in _FREQUENCY:
            frequency.append(_FREQUENCY[group])
            return " ; "
        if group == "not_later":
            return " до "
        if group in _REWRITES:
            # «в конце каждого полугодия»: «каждого» makes it recur every year.
            if any(match.group(name) for name in ("eh_each", "es_each", "ss_each", "ey_each")):
                frequency.append(_YEARLY)
            return _REWRITES[group]
        flags.add(group)
        return " ; "

    rewritten = _PHRASES.sub(phrase, text)
    atoms = _atoms(_tokens(rewritten), allow_list_years=not frequency)
    if "school_years" in flags:
        atoms.append(_school_year(None))
    return _Reading(
        atoms=atoms,
        # The finest frequency named wins: «ежегодно … ежемесячно» is monthly.
        frequency=max(frequency) if frequency else None,
        whole="whole" in flags or "whole_year" in flags,
        during="during" in flags or "school_years" in flags,
        on_demand="on_demand" in flags,
    )


def _year_pair(match: re.Match[str]) -> _Token:
    """«2023-2024 гг.» (two calendar years) or a school year «2023-24», «2023/2024 уч. год»."""
    first, second = int(match.group("y1")), match.group("y2")
    last = int(second) if len(second) == 4 else None
    consecutive = int(second) == (first + 1) % 100 if last is None else last == first + 1
    if consecutive and (
        last is None or match.group("ysep") == "/" or match.group("uch") is not None
    ):
        return _Token("sy", first)
    if last is not None:
        return _Token("yr", min(first, last), max(first, last))
    return _Token("y", first)


def _date_token(match: re.Match[str]) -> _Token:
    """01.09.2023, 01.09.23 or 01.09 (no year); an impossible date is a plain word."""
    day, month = int(match.group("dd")), int(match.group("dm"))
    raw_year = match.group("dy")
    year = None if raw_year is None else int(raw_year)
    if year is not None and year < 100:
        year += 2000
    if 1 <= month <= 12 and 1 <= day <= _days_in(year, month):
        return _Token("d", day, month, year)
    return _Token("w")


def _ordinal(key: str) -> int:
    return int(key) if key.isdigit() else _ORDINALS.get(key, 4)


def _word_token(word: str) -> _Token | None:
    if word in _TRANSPARENT:
        return None
    if word in _WORD_TOKENS:
        return _Token(_WORD_TOKENS[word], text=word)
    if word.startswith(_END_WORDS):
        return _Token("end")
    if word.startswith(_START_WORDS):
        return _Token("start")
    return _Token("w", text=word)


_PLAIN_TOKENS: Final = {"digits": _Token("w"), "dash": _Token("-"), "comma": _Token(",")}


def _token(match: re.Match[str]) -> _Token | None:  # noqa: PLR0911 — one return per token kind
    group = match.lastgroup
    if group == "yr":
        return _year_pair(match)
    if group == "date":
        return _date_token(match)
    if group == "year":
        return _Token("y", int(match.group()))
    if group in ("q", "qr", "qw"):
        key = match.group("qn") or match.group("qrn") or match.group("qo")
        return _Token("q", _ordinal(key))
    if group in ("sq", "sqr", "sqw"):
        key = match.group("sqn") or match.group("sqrn") or match.group("sqo")
        return _Token("sq", _ordinal(key))
    if group in ("h", "hr", "hw"):
        key = match.group("hn") or match.group("hrn") or match.group("ho")
        return _Token("h", min(2, _ordinal(key)))
    if group == "month":
        if match.group("may"):
            return _Token("m", 5)
        return _Token("m", _MONTHS[match.group("mstem") or match.group("mabbr")])
    if group == "num":
        return _Token("n", int(match.group()))
    if group == "word":
        return _word_token(match.group())
    return _PLAIN_TOKENS.get(group or "", _Token(";"))


def _tokens(text: str) -> list[_Token]:
    return [token for match in _TOKENS.finditer(text) if (token := _token(match)) is not None]


_UNIT_STARTS: Final = frozenset({"d", "n", "m", "q", "sq", "h", "y", "yr", "sy"})


def _unit(tokens: list[_Token], i: int) -> tuple[_Atom, int] | None:  # noqa: PLR0911, PLR0912
    """The time written at ``tokens[i]`` and the index after it, or None."""
    count = len(tokens)
    token = tokens[i]
    kind = token.kind
    following = tokens[i + 1] if i + 1 < count else None
    if kind == "d":
        if token.c is None and following is not None and following.kind == "y":
            return _Atom(following.a, token.b, token.a, 0, token.b, token.a, day=True), i + 2
        return _Atom(token.c, token.b, token.a, 0, token.b, token.a, day=True), i + 1
    if kind == "n":
        if following is None or following.kind != "m":
            return None
        day, month = token.a, following.a
        after = tokens[i + 2] if i + 2 < count else None
        year = after.a if after is not None and after.kind == "y" else None
        if not 1 <= day <= _days_in(year, month):
            return None
        return _Atom(year, month, day, 0, month, day, day=True), i + (2 if year is None else 3)
    if kind == "m":
        if following is not None and following.kind == "y":
            return _month(token.a, following.a), i + 2
        # «Сентябрь, 2021»: a lone year after a comma belongs to the month.
        if (
            following is not None
            and following.kind == ","
            and i + 2 < count
            and tokens[i + 2].kind == "y"
            and (i + 3 >= count or tokens[i + 3].kind not in _UNIT_STARTS)
        ):
            return _month(token.a, tokens[i + 2].a), i + 3
        return _month(token.a, None), i + 1
    if kind in ("q", "h", "sq"):
        return _part_of_year(token, following, i)
    if kind == "y":
        return _Atom(token.a, 1, 1, 0, 12, 31, coarse=True), i + 1
    if kind == "yr":
        return _Atom(token.a, 1, 1, token.b - token.a, 12, 31, coarse=True), i + 1
    if kind == "sy":
        return _school_year(token.a), i + 1
    return None


def _part_of_year(token: _Token, following: _Token | None, i: int) -> tuple[_Atom, int]:
    """A quarter, half-year or school quarter, with the (school) year written after it."""
    year: int | None = None
    school = True
    step = 1
    if following is not None and following.kind == "y":
        year, school, step = following.a, False, 2
    elif following is not None and following.kind == "sy":
        year, step = following.a, 2
    if token.kind == "q":
        return _quarter(token.a, year), i + step
    if token.kind == "h":
        return _half(token.a, year, school), i + step
    # A school quarter takes a calendar year as the year it falls in.
    if year is not None and not school and token.a >= 3:
        year -= 1
    return _school_quarter(token.a, year), i + step


def _join(first: _Atom, last: _Atom) -> _Atom:
    """The range from ``first`` to ``last`` (years completed as the module docstring says)."""
    coarse = first.coarse and last.coarse
    if first.year is not None and last.year is not None:
        start = (first.year, first.m1, first.d1)
        end = (last.year + last.years, last.m2, last.d2)
        if end < start:  # written backwards: «май 2024 – январь 2022»
            start = (last.year, last.m1, last.d1)
            end = (first.year + first.years, first.m2, first.d2)
        return _Atom(start[0], start[1], start[2], end[0] - start[0], end[1], end[2], coarse=coarse)
    if last.year is not None:
        end_year = last.year + last.years
        start_year = end_year if (first.m1, first.d1) <= (last.m2, last.d2) else end_year - 1
        return _Atom(
            start_year, first.m1, first.d1, end_year - start_year, last.m2, last.d2, coarse=coarse
        )
    later = 0 if (last.m2, last.d2) >= (first.m1, first.d1) else 1
    return _Atom(
        first.year, first.m1, first.d1, first.years + later, last.m2, last.d2, coarse=coarse
    )


def _edge(atom: _Atom, at_end: bool, day: bool) -> _Atom:
    """The first or last day (``day``) or month of ``atom``: «до конца 2023 года», «в конце мая»."""
    if atom.day:
        return atom
    if at_end:
        year = None if atom.year is None else atom.year + atom.years
        month, which = atom.m2, atom.d2
    else:
        year, month, which = atom.year, atom.m1, atom.d1
    if day:
        which = min(which, _days_in(year, month))
        return _Atom(year, month, which, 0, month, which, day=True)
    return _month(month, year)


def _atoms(tokens: list[_Token], allow_list_years: bool) -> list[_Atom]:  # noqa: PLR0912
    """Group the tokens into times: ranges, milestones, lists."""
    atoms: list[_Atom] = []
    links: list[bool] = []  # True: joined to the previous time by commas or «и» only
    count = len(tokens)
    milestone = at_end = at_start = since = False
    listed = False  # only commas since the last time
    i = 0
    while i < count:
        token = tokens[i]
        kind = token.kind
        found = _unit(tokens, i) if kind in _UNIT_STARTS else None
        if found is None:
            if kind == "do":
                milestone = True
            elif kind in ("end", "start"):
                at_end, at_start = kind == "end", kind == "start"
            elif kind == "from":
                since = True
            else:
                # A word or a separator ends a milestone, a range and (but a comma) a list.
                milestone = at_end = at_start = since = False
            listed = listed and kind == ","
            i += 1
            continue
        atom, i = found
        if i < count:
            joiner = tokens[i].kind
            if joiner == "-" or (since and joiner in ("to", "do")):
                # «январь – март 2022», «с 01.09.2023 по 31.05.2024»
                second = _unit(tokens, i + 1) if i + 1 < count else None
                if second is not None:
                    atom, i = _join(atom, second[0]), second[1]
                    since = False
            elif joiner == "m" and not atom.coarse and not atom.day:
                # Two months side by side: a range whose dash was lost («сентябрь март»).
                second = _unit(tokens, i)
                if second is not None and not second[0].coarse and not second[0].day:
                    atom, i = _join(atom, second[0]), second[1]
        if milestone:
            atom = _edge(atom, at_end, day=True)
        elif at_end or at_start:
            atom = _edge(atom, at_end, day=False)
        elif since and atom.year is not None:
            atom = atom._replace(open_end=True)
        links.append(listed)
        atoms.append(atom)
        milestone = at_end = at_start = since = False
        listed = True
    if allow_list_years:
        _share_list_years(atoms, links)
    return atoms


def _share_list_years(atoms: list[_Atom], links: list[bool]) -> None:
    """«май, июнь 2023»: the year closing a list goes to its yearless months (in place)."""
    for index in range(len(atoms) - 1, 0, -1):
        last = atoms[index]
        if last.year is None or last.coarse or not links[index]:
            continue
        j = index
        while j > 0 and links[j]:
            j -= 1
            earlier = atoms[j]
            if earlier.year is not None or earlier.coarse:
                break
            year = last.year if (earlier.m1, earlier.d1) <= (last.m1, last.d1) else last.year - 1
            atoms[j] = earlier._replace(year=year)


# --------------------------------------------------------------------------- dates


def _day(year: int, month: int, day: int) -> date | None:
    """The date, the day clamped to the month's length (31 is «the last day»); None off ``date``."""
    if not 1 <= year <= 9999:
        return None
    return date(year, month, day if day <= 28 else min(day, _days_in(year, month)))


def _span_at(atom: _Atom, year: int, period_end: date) -> Span | None:
    start = _day(year, atom.m1, atom.d1)
    end = period_end if atom.open_end else _day(year + atom.years, atom.m2, atom.d2)
    if start is None or end is None:
        return None
    return (start, end) if start <= end else (start, start)


def _inside(span: Span, period_start: date, period_end: date) -> bool:
    return period_start <= span[0] and span[1] <= period_end


def _overlaps(span: Span, period_start: date, period_end: date) -> bool:
    return span[0] <= period_end and span[1] >= period_start


def _anchor_years(atom: _Atom, period_start: date, period_end: date) -> range:
    return range(max(1, period_start.year - 1 - atom.years), min(9999, period_end.year) + 1)


def _occurrences(
    atom: _Atom, period_start: date, period_end: date, yearly: bool
) -> tuple[list[Span], bool]:
    """Every span of ``atom`` touching the period, and whether a dated one lies outside it.

    A yearless atom occurs every year; a dated one once, or every year from its
    own on when ``yearly`` («август 2023 г., ежегодно»).
    """
    spans: list[Span] = []
    if atom.year is None:
        for year in _anchor_years(atom, period_start, period_end):
            span = _span_at(atom, year, period_end)
            if span is not None and _overlaps(span, period_start, period_end):
                spans.append(span)
        return spans, False
    base = _span_at(atom, atom.year, period_end)
    if base is None:
        return spans, True
    outside = not _inside(base, period_start, period_end)
    if not yearly:
        if _overlaps(base, period_start, period_end):
            spans.append(base)
        return spans, outside
    first = max(atom.year, period_start.year - 1 - atom.years)
    for year in range(first, min(9999 - atom.years, period_end.year) + 1):
        span = _span_at(atom, year, period_end)
        if span is not None and _overlaps(span, period_start, period_end):
            spans.append(span)
    return spans, outside


def _add_years(day: date, years: int) -> date | None:
    return _day(day.year + years, day.month, day.day)


def _cycles(frequency: int, period_start: date, period_end: date) -> Iterator[Span]:
    """The occurrences of a frequency without a month: programme years, months, weeks…"""
    if frequency == _YEARLY:
        start: date | None = period_start
        step = 1
        while start is not None and start <= period_end:
            following = _add_years(period_start, step)
            end = period_end if following is None else following - timedelta(days=1)
            yield start, min(end, period_end)
            start, step = following, step + 1
        return
    if frequency == _WEEKLY:
        monday = period_start - timedelta(days=period_start.weekday())
        while monday <= period_end:
            sunday = monday + timedelta(days=6) if monday <= date.max - timedelta(6) else date.max
            yield monday, sunday
            if sunday == date.max:
                return
            monday = sunday + timedelta(days=1)
        return
    if frequency in (_MONTHLY, _QUARTER):
        step = 1 if frequency == _MONTHLY else 3
        year, month = period_start.year, (period_start.month - 1) // step * step + 1
        while year <= 9999 and (first := date(year, month, 1)) <= period_end:
            last = month + step - 1
            yield first, date(year, last, _days_in(year, last))
            year, month = (year, month + step) if month + step <= 12 else (year + 1, 1)
        return
    patterns: list[_Atom]
    if frequency == _HALF:
        patterns = [_half(1, None, school=True), _half(2, None, school=True)]
    else:
        patterns = [_school_quarter(quarter, None) for quarter in range(1, 5)]
    for pattern in patterns:
        yield from _occurrences(pattern, period_start, period_end, yearly=False)[0]


def _intersections(spans: Iterable[Span], windows: list[Span]) -> Iterator[Span]:
    for start, end in spans:
        for first, last in windows:
            low, high = max(start, first), min(end, last)
            if low <= high:
                yield low, high


def _recurring(reading: _Reading, period_start: date, period_end: date) -> tuple[list[Span], bool]:
    """The occurrences of a phrase that says it recurs, and whether a dated time lies outside.

    Under «ежегодно» a month is an occurrence and a year a window; under a finer
    frequency every time written is a window on the cycles (months, weeks…).
    """
    yearly = reading.frequency == _YEARLY
    occurrences: list[Span] = []
    windows: list[Span] = []
    outside = has_occurrence = has_window = False
    for atom in reading.atoms:
        as_window = atom.coarse or not yearly
        spans, out = _occurrences(atom, period_start, period_end, yearly=not as_window)
        outside = outside or out
        if as_window:
            has_window = True
            windows.extend(spans)
        else:
            has_occurrence = True
            occurrences.extend(spans)
    result: Iterable[Span] = occurrences
    if not has_occurrence:
        result = _cycles(reading.frequency or _YEARLY, period_start, period_end)
    if has_window:
        result = _intersections(result, windows)
    return list(result), outside


def _written(
    reading: _Reading, period_start: date, period_end: date
) -> tuple[DeadlineKind, list[Span], bool]:
    """The kind and spans of the times written (no recurrence word), and the «outside» flag."""
    spans: list[Span] = []
    outside = repeated = False
    long_period = (period_end - period_start).days > 366
    for atom in reading.atoms:
        found, out = _occurrences(atom, period_start, period_end, yearly=False)
        outside = outside or out
        spans.extend(found)
        if atom.year is None and long_period:
            repeated = repeated or len(normalise_intervals(found, period_start, period_end)) > 1
    if reading.during:
        kind = DeadlineKind.CONTINUOUS
    elif repeated:
        kind = DeadlineKind.RECURRING
    elif all(atom.day for atom in reading.atoms):
        kind = DeadlineKind.DATE
    else:
        kind = DeadlineKind.PERIOD
    return kind, spans, outside


def _parse(text: str, period_start: date, period_end: date) -> Deadline:
    reading = _read(_normalise(text))
    if reading.frequency is not None:
        kind = DeadlineKind.RECURRING
        spans, outside = _recurring(reading, period_start, period_end)
    elif reading.whole:
        kind, spans, outside = DeadlineKind.CONTINUOUS, [(period_start, period_end)], False
    elif reading.atoms:
        kind, spans, outside = _written(reading, period_start, period_end)
    elif reading.on_demand:
        return Deadline(text, DeadlineKind.ON_DEMAND, [])
    else:
        return Deadline(text, DeadlineKind.UNKNOWN, [])
    return Deadline(text, kind, normalise_intervals(spans, period_start, period_end), outside)
