"""The deadline parser (issue 8 §2, a contract) against every deadline cell of the seed roadmaps.

Each cell of the «Сроки» columns of the four seed roadmaps is a row of the
table below, with the kind and the intervals it must give for its seed's
programme period (``models/deadlines.py`` documents the semantics):

* 000 (Artemovsky, «Срок действия Программы 2022 - 2024 годы», line 21):
  2022-01-01..2024-12-31.  Its roadmap in blocks (lines 271–308) and its
  table «10. Дорожная карта» (lines 441–482), whose column 4 holds the
  periodicity («ежегодно») and columns 5–7 the month in 2022, 2023, 2024: a
  year column is read with that calendar year as the period, as an importer
  would.
* 002 (Orlovsky, «на 2021-2023 годы», order item 1; «3 года (2021 – 2023
  г.г.)», line 275): 2021-01-01..2023-12-31.  Its passport says 01.09.2021 –
  31.05.2023 (line 89), which would drop 1.1 «май-июнь 2021» (the preparatory
  stage); that variant is checked apart.
* 003 (Novgorodsky, «2021– 2022 гг.», line 28): 2021-01-01..2022-12-31;
  sections III (1.1–4.2) and V (1.1–4.3), both numbered 1–4.
* 004 (Ivanteevsky, «Дорожная карта … на 2023-2024 уч год», lines 522–544, and
  «Дорожная карта … на 2023/2024 учебный год», lines 559–584): the school year
  2023-09-01..2024-08-31.  Eight of its cells name times before or after it
  («Август 2023», «до 1 августа 2023 г.»): they come out empty and
  ``clipped``, and are checked again with the calendar years 2023–2024.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shnor_desktop.models.deadlines import (
    Deadline,
    DeadlineKind,
    normalise_intervals,
    parse_deadline,
)

K = DeadlineKind
Span = tuple[date, date]
Period = tuple[date, date]

SEEDS: Final = Path("/work/shared/seeds")
SEED_NAMES: Final = ("000", "002", "003", "004")


def month(year: int, number: int) -> Span:
    """The whole month."""
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def months(year: int, first: int, last_year: int, last: int) -> Span:
    """From the first day of one month to the last day of another."""
    return month(year, first)[0], month(last_year, last)[1]


def year(number: int) -> Span:
    return date(number, 1, 1), date(number, 12, 31)


def day(number: int, month_number: int, day_number: int) -> Span:
    moment = date(number, month_number, day_number)
    return moment, moment


P000: Final = (date(2022, 1, 1), date(2024, 12, 31))
P002: Final = (date(2021, 1, 1), date(2023, 12, 31))
P003: Final = (date(2021, 1, 1), date(2022, 12, 31))
P004: Final = (date(2023, 9, 1), date(2024, 8, 31))
WIDE004: Final = (date(2023, 1, 1), date(2024, 12, 31))


@dataclass(frozen=True)
class Case:
    """A deadline phrase of a seed, where it stands and what it must give."""

    cells: tuple[str, ...]
    """«000:273» — seed and line of each cell holding the phrase («:2022» — its year column)."""
    text: str
    period: Period
    kind: DeadlineKind
    intervals: tuple[Span, ...]
    clipped: bool = False


def case(
    cells: str,
    text: str,
    period: Period,
    kind: DeadlineKind,
    intervals: list[Span],
    *,
    clipped: bool = False,
) -> Case:
    """A row of the table: ``cells`` is «000:273 000:277» (space-separated)."""
    return Case(tuple(cells.split()), text, period, kind, tuple(intervals), clipped)


SEED_CASES: Final = [
    # ---- 000, roadmap in blocks (lines 271–308), column «Сроки»
    case("000:273 000:277 000:279", "Январь 2022", P000, K.PERIOD, [month(2022, 1)]),
    case("000:274", "январь 2022", P000, K.PERIOD, [month(2022, 1)]),
    case("000:275", "Январь 2022-май 2024", P000, K.PERIOD, [months(2022, 1, 2024, 5)]),
    case("000:276", "по договору", P000, K.ON_DEMAND, []),
    case("000:282", "Февраль 2022", P000, K.PERIOD, [month(2022, 2)]),
    case("000:283", "по графику Министерс тва Просвещен ия РФ", P000, K.ON_DEMAND, []),
    case("000:284", "В течение всего периода", P000, K.CONTINUOUS, [P000]),
    case(
        "000:285",
        "в течение учебного года",
        P000,
        K.CONTINUOUS,
        [
            (date(2022, 1, 1), date(2022, 5, 31)),
            (date(2022, 9, 1), date(2023, 5, 31)),
            (date(2023, 9, 1), date(2024, 5, 31)),
            (date(2024, 9, 1), date(2024, 12, 31)),
        ],
    ),
    # A range whose dash was lost in copying (the same activity is «сентябрь март» in table 10).
    case("000:286", "март 2022 сентябрь 2023", P000, K.PERIOD, [months(2022, 3, 2023, 9)]),
    case("000:287 000:291 000:292 000:305", "в течение года", P000, K.CONTINUOUS, [P000]),
    case("000:290", "По плану работы УО", P000, K.ON_DEMAND, []),
    case("000:293 000:296", "в течение всего периода", P000, K.CONTINUOUS, [P000]),
    case("000:297", "постоянно", P000, K.CONTINUOUS, [P000]),
    case("000:298", "В соответствии с графиком проведения мероприятий", P000, K.ON_DEMAND, []),
    case("000:300", "Январь – март 2022", P000, K.PERIOD, [months(2022, 1, 2022, 3)]),
    case("000:301", "Март – май 2022", P000, K.PERIOD, [months(2022, 3, 2022, 5)]),
    case("000:302", "по плану ШНОР", P000, K.ON_DEMAND, []),
    case("000:306", "февраль 2022-май 2024", P000, K.PERIOD, [months(2022, 2, 2024, 5)]),
    case("000:307", "сентябрь 2022-май 2024", P000, K.PERIOD, [months(2022, 9, 2024, 5)]),
    case("000:308", "октябрь 2022", P000, K.PERIOD, [month(2022, 10)]),
    # ---- 000, table «10. Дорожная карта» (lines 445–482), column 4 (periodicity), whole period
    case(
        "000:445:plan 000:446:plan 000:447:plan 000:448:plan 000:451:plan 000:478:plan "
        "000:481:plan 000:482:plan",
        "ежегодно",
        P000,
        K.RECURRING,
        [year(2022), year(2023), year(2024)],
    ),
    case(
        "000:452:plan 000:466:plan 000:467:plan 000:471:plan 000:472:plan 000:473:plan",
        "постоянно",
        P000,
        K.CONTINUOUS,
        [P000],
    ),
    case("000:453:plan", "в соответствии с планом", P000, K.ON_DEMAND, []),
    case(
        "000:454:plan 000:465:plan",
        "ежемесячно",
        P000,
        K.RECURRING,
        [month(y, m) for y in (2022, 2023, 2024) for m in range(1, 13)],
    ),
    case(
        "000:456:plan 000:460:plan",
        "сентябрь",
        P000,
        K.RECURRING,
        [month(2022, 9), month(2023, 9), month(2024, 9)],
    ),
    case(
        "000:457:plan",
        "октябрь",
        P000,
        K.RECURRING,
        [month(2022, 10), month(2023, 10), month(2024, 10)],
    ),
    # September to March of the next year, every school year; the first and
    # last occurrences are clipped to the period.
    case(
        "000:458:plan",
        "сентябрь март",
        P000,
        K.RECURRING,
        [
            months(2022, 1, 2022, 3),
            months(2022, 9, 2023, 3),
            months(2023, 9, 2024, 3),
            months(2024, 9, 2024, 12),
        ],
    ),
    case("000:463:plan", "по договору", P000, K.ON_DEMAND, []),
    case("000:464:plan", "по заявке", P000, K.ON_DEMAND, []),
    case("000:474:plan", "в соответствии с конкурсным положением", P000, K.ON_DEMAND, []),
    case("000:475:plan", "По плану реализации школьной программы", P000, K.ON_DEMAND, []),
    case(
        "000:476:plan", "июнь", P000, K.RECURRING, [month(2022, 6), month(2023, 6), month(2024, 6)]
    ),
    # ---- 002, roadmap 1.1 … 4.4 (lines 305–432), column «Сроки»
    case("002:308", "май-июнь 2021", P002, K.PERIOD, [months(2021, 5, 2021, 6)]),  # 1.1
    case(
        "002:314 002:320 002:361 002:367 002:373 002:379 002:391 002:409 002:415 002:429",
        "В течение всего периода",
        P002,
        K.CONTINUOUS,
        [P002],
    ),
    case("002:422", "В течение всего периода ", P002, K.CONTINUOUS, [P002]),  # 4.3
    case("002:332", "По плану мониторинговых исследований", P002, K.ON_DEMAND, []),  # 1.4
    case(  # 1.5: two or three times a year, months not said: each programme year
        "002:340",
        "По плану УО Орловского района, 2-3 раза в год",
        P002,
        K.RECURRING,
        [year(2021), year(2022), year(2023)],
    ),
    case(  # 1.6
        "002:346",
        "2 раза в год (май, декабрь)",
        P002,
        K.RECURRING,
        [month(y, m) for y in (2021, 2022, 2023) for m in (5, 12)],
    ),
    case("002:352", "постоянно", P002, K.CONTINUOUS, [P002]),  # 1.7
    case("002:385", "По плану работы", P002, K.ON_DEMAND, []),  # 2.5
    case("002:400", "Сентябрь 2021", P002, K.PERIOD, [month(2021, 9)]),  # 3.1
    # ---- 003, section III (lines 478–544), column «Сроки исполнения»
    case(  # 1.1–1.3: the end of each school half-year, December and May
        "003:487 003:492 003:497",
        "В конце каждого полугодия",
        P003,
        K.RECURRING,
        [month(2021, 5), month(2021, 12), month(2022, 5), month(2022, 12)],
    ),
    case(
        "003:502 003:514 003:531 003:538 003:709 003:755",
        "В течение года",
        P003,
        K.CONTINUOUS,
        [P003],
    ),
    case(
        "003:509 003:521 003:526 003:543 003:689",
        "Ежегодно",
        P003,
        K.RECURRING,
        [year(2021), year(2022)],
    ),
    # ---- 003, section V (lines 630–812), column «Сроки»
    case(  # 1.1: December 2020 lies before the programme
        "003:637",
        "декабрь 2020\nянварь 2021",
        P003,
        K.PERIOD,
        [month(2021, 1)],
        clipped=True,
    ),
    case("003:644 003:733", "Постоянно", P003, K.CONTINUOUS, [P003]),
    case(
        "003:659",
        "Ежегодно по плану мониторинго-вых исследо-ваний",
        P003,
        K.RECURRING,
        [year(2021), year(2022)],
    ),
    case(
        "003:666",
        "По плану работы коми-тета образо-вания,\nНе менее 2 раз  в год",
        P003,
        K.RECURRING,
        [year(2021), year(2022)],
    ),
    case(
        "003:673",
        "2 раза в год (январь, июнь)",
        P003,
        K.RECURRING,
        [month(2021, 1), month(2021, 6), month(2022, 1), month(2022, 6)],
    ),
    case(
        "003:680",
        "2 раза в год (декабрь, май)",
        P003,
        K.RECURRING,
        [month(2021, 5), month(2021, 12), month(2022, 5), month(2022, 12)],
    ),
    case(
        "003:695",
        "По плану работы управления образования, в течение года",
        P003,
        K.CONTINUOUS,
        [P003],
    ),
    case(
        "003:702 003:804",
        "По плану работы комитета образования, в течение года",
        P003,
        K.CONTINUOUS,
        [P003],
    ),
    case("003:718", "По плану работы районной школы «Молодой учитель»", P003, K.ON_DEMAND, []),
    case("003:726", "В течение года  по заявке руководителя школы", P003, K.CONTINUOUS, [P003]),
    case(
        "003:739",
        "По плану работы комитета образования, март",
        P003,
        K.RECURRING,
        [month(2021, 3), month(2022, 3)],
    ),
    case("003:748", "Ежегодно, сентябрь", P003, K.RECURRING, [month(2021, 9), month(2022, 9)]),
    case("003:761", "август", P003, K.RECURRING, [month(2021, 8), month(2022, 8)]),
    case("003:768 003:775 003:783", "2021г", P003, K.PERIOD, [year(2021)]),
    case("003:792 003:798", "Сентябрь, 2021", P003, K.PERIOD, [month(2021, 9)]),
    # ---- 004, «Перечень мероприятий («Дорожная карта») … на 2023-2024 уч год» (lines 524–544)
    case("004:526 004:527 004:528 004:530", "Август 2023", P004, K.PERIOD, [], clipped=True),
    case("004:529", "До 01.09.2023", P004, K.DATE, [day(2023, 9, 1)]),
    case("004:534", "2024", P004, K.PERIOD, [(date(2024, 1, 1), date(2024, 8, 31))], clipped=True),
    # August and September of a school year that runs September–August: both ends.
    case("004:536", "Август - сентябрь", P004, K.PERIOD, [month(2023, 9), month(2024, 8)]),
    case(
        "004:537 004:538 004:539",
        "2023-24 уч. год по отдельному плану",
        P004,
        K.PERIOD,
        [months(2023, 9, 2024, 5)],
    ),
    case("004:542 004:543 004:544 004:578 004:580", "ежегодно", P004, K.RECURRING, [P004]),
    # ---- 004, «Дорожная карта … на 2023/2024 учебный год» (lines 563–584)
    case("004:564", "Май-июнь 2023", P004, K.PERIOD, [], clipped=True),
    case("004:565", "до 1 августа 2023 г.", P004, K.DATE, [], clipped=True),
    case("004:566", "август 2023 г., ежегодно", P004, K.RECURRING, [month(2024, 8)], clipped=True),
    case(
        "004:567",
        "2023/2024 уч.год по срокам приказа",
        P004,
        K.PERIOD,
        [months(2023, 9, 2024, 5)],
    ),
    case("004:568 004:569", "октябрь 2023 г., ежегодно", P004, K.RECURRING, [month(2023, 10)]),
    case("004:572", "октябрь 2023 г., обновление", P004, K.PERIOD, [month(2023, 10)]),
    case("004:573", "октябрь 2023 г.,", P004, K.PERIOD, [month(2023, 10)]),
    case("004:574", "ноябрь 2023 г. март 2024", P004, K.PERIOD, [months(2023, 11, 2024, 3)]),
    case("004:575", "сентябрь 2023 г.", P004, K.PERIOD, [month(2023, 9)]),
    case(
        "004:576 004:577",
        "сентябрь 2023г.- май 2024 г.",
        P004,
        K.PERIOD,
        [months(2023, 9, 2024, 5)],
    ),
    case("004:581", "август 2024 г.,", P004, K.PERIOD, [month(2024, 8)]),
    case("004:582", "Сентябрь-октябрь 2024 г. ежегодно", P004, K.RECURRING, [], clipped=True),
    case("004:583", "2023-2024 уч.г.", P004, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case(
        "004:584",
        "ежегодно по итогам отчетного периода 2023-2024 гг.",
        P004,
        K.RECURRING,
        [P004],
        clipped=True,
    ),
]


# 000, table 10, columns 5–7: each cell read with its column's calendar year as the period.
# (text, kind, intervals in year Y, lines holding it in the column of 2022 / 2023 / 2024)
_BY_YEAR: Final[list[tuple[str, DeadlineKind, Callable[[int], list[Span]], tuple[str, ...]]]] = [
    (
        "август",
        K.PERIOD,
        lambda y: [month(y, 8)],
        ("445 446 451 452 471 473", "445 446 451", "445 446 451"),
    ),
    ("в соответствии с графиком проведения исследований", K.ON_DEMAND, lambda y: [], ("447",) * 3),
    ("декабрь", K.PERIOD, lambda y: [month(y, 12)], ("448",) * 3),
    (
        "постоянно",
        K.CONTINUOUS,
        lambda y: [year(y)],
        ("466 472", "452 466 471 472 473", "452 466 471 472 473"),
    ),
    ("сентябрь", K.PERIOD, lambda y: [month(y, 9)], ("453 456 460", "456 460", "456 460")),
    ("в соответствии с планом", K.ON_DEMAND, lambda y: [], ("", "453", "453")),
    (
        "ежемесячно",
        K.RECURRING,
        lambda y: [month(y, m) for m in range(1, 13)],
        ("454 463 465",) * 3,
    ),
    ("октябрь", K.PERIOD, lambda y: [month(y, 10)], ("457 474", "", "")),
    ("по заявке", K.ON_DEMAND, lambda y: [], ("464", "457 464", "457 464")),
    # In one calendar year «September–March» is its first quarter and its last four months.
    (
        "сентябрь март",
        K.PERIOD,
        lambda y: [months(y, 1, y, 3), months(y, 9, y, 12)],
        ("458 467",) * 3,
    ),
    ("-", K.UNKNOWN, lambda y: [], ("", "474", "474")),
    ("По плану реализации школьной программы", K.ON_DEMAND, lambda y: [], ("475",) * 3),
    ("июнь", K.PERIOD, lambda y: [month(y, 6)], ("476",) * 3),
    # The financial rows give the year before their column (the document's own figures).
    ("2021", K.PERIOD, lambda y: [], ("478 481 482", "", "")),
    ("2022", K.PERIOD, lambda y: [], ("", "478 481 482", "")),
    ("2023", K.PERIOD, lambda y: [], ("", "", "478 481 482")),
]


def _year_column_cases() -> Iterator[Case]:
    for text, kind, spans, lines_by_year in _BY_YEAR:
        for column_year, lines in zip((2022, 2023, 2024), lines_by_year, strict=True):
            if lines:
                cells = tuple(f"000:{line}:{column_year}" for line in lines.split())
                clipped = text.isdigit()
                yield Case(cells, text, year(column_year), kind, tuple(spans(column_year)), clipped)


ALL_SEED_CASES: Final = SEED_CASES + list(_year_column_cases())

# Seed cells read again with a wider period, and the «Срок –» sentences of seed 004's
# proposals for 2023/24 (lines 355–361): they are read, not lost.
WIDER_CASES: Final = [
    case(
        "002:308",
        "май-июнь 2021",
        (date(2021, 9, 1), date(2023, 5, 31)),
        K.PERIOD,
        [],
        clipped=True,
    ),
    case("004:526", "Август 2023", WIDE004, K.PERIOD, [month(2023, 8)]),
    case("004:534", "2024", WIDE004, K.PERIOD, [year(2024)]),
    case(
        "004:536",
        "Август - сентябрь",
        WIDE004,
        K.RECURRING,
        [months(2023, 8, 2023, 9), months(2024, 8, 2024, 9)],
    ),
    case("004:564", "Май-июнь 2023", WIDE004, K.PERIOD, [months(2023, 5, 2023, 6)]),
    case("004:565", "до 1 августа 2023 г.", WIDE004, K.DATE, [day(2023, 8, 1)]),
    case(
        "004:566",
        "август 2023 г., ежегодно",
        WIDE004,
        K.RECURRING,
        [month(2023, 8), month(2024, 8)],
    ),
    case(
        "004:582",
        "Сентябрь-октябрь 2024 г. ежегодно",
        WIDE004,
        K.RECURRING,
        [months(2024, 9, 2024, 10)],
    ),
    case(
        "004:584",
        "ежегодно по итогам отчетного периода 2023-2024 гг.",
        WIDE004,
        K.RECURRING,
        [year(2023), year(2024)],
    ),
    case(
        "004:355",
        "до 1 сентября 2023 года (подготовка концептуальных документов), в течение 2023-2024 "
        "учебного года – сопровождение ШНОР, исполнение мер/мероприятий.",
        WIDE004,
        K.CONTINUOUS,
        [months(2023, 9, 2024, 5)],
    ),
    case(
        "004:357",
        "ноябрь 2023 (единый методический день), февраль 2024 года (семинар-практикум "
        "«Объективное оценивание. ВСОКО»).",
        WIDE004,
        K.PERIOD,
        [month(2023, 11), month(2024, 2)],
    ),
    case(
        "004:359",
        "до 1 августа 2023 г. (назначить муниципального координатора)",
        WIDE004,
        K.DATE,
        [day(2023, 8, 1)],
    ),
    case(
        "004:361",
        "до 1 августа 2023 год (направить заявку на КПК в СОИРО, включить данный показатель в "
        "перечень показателе деятельности руководителя ОО).",
        WIDE004,
        K.DATE,
        [day(2023, 8, 1)],
    ),
]


def _check(item: Case) -> None:
    deadline = parse_deadline(item.text, *item.period)
    assert deadline.text == item.text
    assert (deadline.kind, deadline.intervals, deadline.clipped) == (
        item.kind,
        list(item.intervals),
        item.clipped,
    )


@pytest.mark.parametrize("item", ALL_SEED_CASES, ids=lambda c: f"{c.cells[0]} {c.text[:28]}")
def test_every_deadline_cell_of_the_seed_roadmaps(item: Case) -> None:
    _check(item)


@pytest.mark.parametrize("item", WIDER_CASES, ids=lambda c: f"{c.cells[0]} {c.text[:28]}")
def test_seed_phrases_outside_their_school_year_are_read(item: Case) -> None:
    _check(item)


# ------------------------------------------------------------------ the cells are the seeds'


def _lines(seed: str) -> list[str]:
    (path,) = SEEDS.glob(f"{seed}_*.txt")
    return path.read_text(encoding="utf-8").split("\n")


def _tab_cells(seed: str, first: int, last: int, columns: dict[int, str]) -> Iterator[str]:
    """Cells of a table kept one row a line, tab-separated (000, 004); «seed:line[:tag]|text»."""
    lines = _lines(seed)
    for number in range(first, last + 1):
        parts = lines[number - 1].split("\t")
        # A row of activities: its first cell is empty (000) or its number «1.4.» (004).
        if len(parts) <= max(columns) or not re.fullmatch(r"(\d+(\.\d+)*\.)?", parts[0].strip()):
            continue
        for column, tag in columns.items():
            if parts[column].strip():
                yield f"{seed}:{number}{tag}|{parts[column]}"


def _vertical_cells(seed: str, first: int, last: int) -> Iterator[str]:
    """Deadline cells of a table kept one cell a line (002, 003): the cell after the name.

    A cell starts with a tab and runs over the following lines without one; a
    row starts with its number («1.4.»); a section heading has no deadline.
    """
    lines = _lines(seed)
    rows: list[list[tuple[int, str]]] = []
    for number in range(first, last + 1):
        line = lines[number - 1]
        if line.startswith("\t"):
            text = line.lstrip("\t")
            if re.fullmatch(r"\s*\d+(\.\d+)*\.?\s*", text):
                rows.append([])
            elif rows:
                rows[-1].append((number, text))
        elif rows and rows[-1]:
            start, text = rows[-1][-1]
            rows[-1][-1] = (start, f"{text}\n{line}")
    for cells in rows:
        if len(cells) > 1:
            number, text = cells[1]
            yield f"{seed}:{number}|{text.strip(chr(10))}"


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed documents are not on this machine")
def test_the_table_holds_every_deadline_cell_of_the_seeds() -> None:
    """Re-extract the «Сроки» cells from the seeds: the table has exactly these, word for word."""
    found = {
        *_tab_cells("000", 271, 316, {3: ""}),
        *_tab_cells("000", 445, 482, {3: ":plan", 4: ":2022", 5: ":2023", 6: ":2024"}),
        *_vertical_cells("002", 305, 432),
        *_vertical_cells("003", 478, 544),
        *_vertical_cells("003", 630, 812),
        *_tab_cells("004", 524, 545, {2: ""}),
        *_tab_cells("004", 563, 584, {2: ""}),
    }
    table = {f"{cell}|{item.text}" for item in ALL_SEED_CASES for cell in item.cells}
    assert table == found
    per_seed = {seed: sum(key.startswith(seed) for key in found) for seed in SEED_NAMES}
    # 26 in the blocks + 26 rows × 4 columns of table 10; 18; 11 + 23; 13 + 18.
    assert per_seed == {"000": 130, "002": 18, "003": 34, "004": 31}


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed documents are not on this machine")
def test_the_wider_phrases_stand_in_the_seeds() -> None:
    for item in WIDER_CASES:
        seed, line = item.cells[0].split(":")
        assert item.text.split(" (")[0] in _lines(seed)[int(line) - 1]


# ------------------------------------------------------------------ semantics beyond the seeds

CALENDAR: Final = (date(2023, 1, 1), date(2024, 12, 31))
SCHOOL: Final = P004
ONE_YEAR: Final = (date(2023, 1, 1), date(2023, 12, 31))

SEMANTICS: Final = [
    # months in any case and form, abbreviations, capitals
    case("", "январе 2023", CALENDAR, K.PERIOD, [month(2023, 1)]),
    case("", "января 2023 года", CALENDAR, K.PERIOD, [month(2023, 1)]),
    case("", "янв. 2023 г.", CALENDAR, K.PERIOD, [month(2023, 1)]),
    case("", "МАЯ 2024", CALENDAR, K.PERIOD, [month(2024, 5)]),
    case("", "в мае 2024", CALENDAR, K.PERIOD, [month(2024, 5)]),
    case("", "сентябрём 2023", CALENDAR, K.PERIOD, [month(2023, 9)]),
    # ranges and the years they share or cross
    case("", "ноябрь – февраль 2024", CALENDAR, K.PERIOD, [months(2023, 11, 2024, 2)]),
    case("", "сентябрь 2023 - май", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "май 2024 – январь 2023", CALENDAR, K.PERIOD, [months(2023, 1, 2024, 5)]),
    case("", "2023 г. - 2024 г.", CALENDAR, K.PERIOD, [CALENDAR]),
    case("", "2023-2024 гг.", CALENDAR, K.PERIOD, [CALENDAR]),
    case("", "2021 – 2023 г.г.", CALENDAR, K.PERIOD, [year(2023)], clipped=True),
    case("", "май, июнь 2023", CALENDAR, K.PERIOD, [month(2023, 5), month(2023, 6)]),
    case("", "март и апрель 2024", CALENDAR, K.PERIOD, [month(2024, 3), month(2024, 4)]),
    # several items: merged when overlapping, kept apart when only touching
    case(
        "",
        "январь – март 2023, февраль – апрель 2023",
        CALENDAR,
        K.PERIOD,
        [months(2023, 1, 2023, 4)],
    ),
    case("", "январь 2023\nфевраль 2023", CALENDAR, K.PERIOD, [month(2023, 1), month(2023, 2)]),
    # dates and milestones
    case("", "01.09.2023", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "01.09.23", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "1 сентября 2023 г.", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "до 01.09.2023", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "не позднее 01.09.2023", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "к 1 сентября 2023", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "до сентября 2023", CALENDAR, K.DATE, [day(2023, 9, 1)]),
    case("", "до конца 2023 года", CALENDAR, K.DATE, [day(2023, 12, 31)]),
    case("", "до конца мая 2024", CALENDAR, K.DATE, [day(2024, 5, 31)]),
    case(
        "",
        "01.09.2023, 15.10.2023; 20.12.2023",
        CALENDAR,
        K.DATE,
        [day(2023, 9, 1), day(2023, 10, 15), day(2023, 12, 20)],
    ),
    case("", "до 1 сентября", CALENDAR, K.RECURRING, [day(2023, 9, 1), day(2024, 9, 1)]),
    case("", "01.09.2023 - 31.05.2024", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "с 01.09.2023 по 31.05.2024", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "с 1 сентября до 31 мая 2024 г.", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "01.06 – 31.08.2023", CALENDAR, K.PERIOD, [months(2023, 6, 2023, 8)]),
    case("", "с сентября 2023", CALENDAR, K.PERIOD, [(date(2023, 9, 1), CALENDAR[1])]),
    case("", "31.02.2023", CALENDAR, K.UNKNOWN, []),
    # quarters, half-years, school quarters
    case("", "I квартал 2023", CALENDAR, K.PERIOD, [months(2023, 1, 2023, 3)]),
    case("", "IV кв. 2023", CALENDAR, K.PERIOD, [months(2023, 10, 2023, 12)]),
    case("", "в первом квартале 2024 года", CALENDAR, K.PERIOD, [months(2024, 1, 2024, 3)]),
    case(
        "", "4 кв.", CALENDAR, K.RECURRING, [months(2023, 10, 2023, 12), months(2024, 10, 2024, 12)]
    ),
    case("", "4 кв.", ONE_YEAR, K.PERIOD, [months(2023, 10, 2023, 12)]),
    case("", "I полугодие 2023", CALENDAR, K.PERIOD, [months(2023, 1, 2023, 6)]),
    case("", "2 полугодие 2024", CALENDAR, K.PERIOD, [months(2024, 7, 2024, 12)]),
    case("", "второе полугодие", SCHOOL, K.PERIOD, [months(2024, 1, 2024, 5)]),
    case("", "первое полугодие 2023/24 уч. года", CALENDAR, K.PERIOD, [months(2023, 9, 2023, 12)]),
    case("", "III четверть 2024", CALENDAR, K.PERIOD, [months(2024, 1, 2024, 3)]),
    case("", "I четверть", SCHOOL, K.PERIOD, [months(2023, 9, 2023, 10)]),
    # school years
    case("", "2023/24", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "2023-2024 учебный год", CALENDAR, K.PERIOD, [months(2023, 9, 2024, 5)]),
    case("", "2022-23", CALENDAR, K.PERIOD, [months(2023, 1, 2023, 5)], clipped=True),
    # a month without a year: every year of a long period, once in one (school) year
    case("", "сентябрь", CALENDAR, K.RECURRING, [month(2023, 9), month(2024, 9)]),
    case("", "сентябрь", SCHOOL, K.PERIOD, [month(2023, 9)]),
    case("", "ежегодно, сентябрь", SCHOOL, K.RECURRING, [month(2023, 9)]),
    # recurrence
    case("", "2 раза в год (май, декабрь)", SCHOOL, K.RECURRING, [month(2023, 12), month(2024, 5)]),
    case("", "ежегодно", CALENDAR, K.RECURRING, [year(2023), year(2024)]),
    case("", "ежегодно", SCHOOL, K.RECURRING, [SCHOOL]),
    case("", "ежегодно в 2024 году", CALENDAR, K.RECURRING, [year(2024)]),
    case(
        "",
        "ежеквартально",
        ONE_YEAR,
        K.RECURRING,
        [months(2023, q, 2023, q + 2) for q in (1, 4, 7, 10)],
    ),
    case(
        "",
        "раз в полугодие",
        ONE_YEAR,
        K.RECURRING,
        [months(2023, 1, 2023, 5), months(2023, 9, 2023, 12)],
    ),
    case(
        "",
        "каждую четверть",
        ONE_YEAR,
        K.RECURRING,
        [
            months(2023, 1, 2023, 3),
            months(2023, 4, 2023, 5),
            months(2023, 9, 2023, 10),
            months(2023, 11, 2023, 12),
        ],
    ),
    case(
        "",
        "ежемесячно, сентябрь – декабрь 2023",
        CALENDAR,
        K.RECURRING,
        [month(2023, m) for m in range(9, 13)],
    ),
    case("", "в конце года", ONE_YEAR, K.PERIOD, [month(2023, 12)]),
    case("", "в начале учебного года", SCHOOL, K.PERIOD, [month(2023, 9)]),
    case(
        "",
        "до начала каждого учебного года",
        CALENDAR,
        K.RECURRING,
        [day(2023, 9, 1), day(2024, 9, 1)],
    ),
    # continuous
    case(
        "", "в течение 2023-2024 учебного года", CALENDAR, K.CONTINUOUS, [months(2023, 9, 2024, 5)]
    ),
    case("", "в течение 2024 года", CALENDAR, K.CONTINUOUS, [year(2024)]),
    case("", "систематически", SCHOOL, K.CONTINUOUS, [SCHOOL]),
    case("", "в течение учебного года", SCHOOL, K.CONTINUOUS, [months(2023, 9, 2024, 5)]),
    # on demand, unknown
    case("", "по мере необходимости", SCHOOL, K.ON_DEMAND, []),
    case("", "при необходимости", SCHOOL, K.ON_DEMAND, []),
    case("", "по запросу ОО", SCHOOL, K.ON_DEMAND, []),
    case("", "по плану работы УО", SCHOOL, K.ON_DEMAND, []),
    case("", "", SCHOOL, K.UNKNOWN, []),
    case("", "   ", SCHOOL, K.UNKNOWN, []),
    case("", "—", SCHOOL, K.UNKNOWN, []),
    case("", "через две недели после проверки", SCHOOL, K.UNKNOWN, []),
    case("", "см. приложение 3", SCHOOL, K.UNKNOWN, []),
    case("", "<p>Январь 2023</p>", CALENDAR, K.PERIOD, [month(2023, 1)]),
]


@pytest.mark.parametrize("item", SEMANTICS, ids=lambda c: f"{c.text[:30]}|{c.period[0].year}")
def test_semantics(item: Case) -> None:
    _check(item)


DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


@pytest.mark.parametrize("dash", DASHES, ids=lambda d: f"U+{ord(d):04X}")
@pytest.mark.parametrize("spacing", ["{}", " {} "])
def test_every_kind_of_dash_makes_a_range(dash: str, spacing: str) -> None:
    text = "январь" + spacing.format(dash) + "март 2023"
    assert parse_deadline(text, *CALENDAR).intervals == [months(2023, 1, 2023, 3)]


def test_an_unread_phrase_keeps_its_text_and_shows_unscheduled() -> None:
    text = "  после\nВПР (уточнить) "
    deadline = parse_deadline(text, *SCHOOL)
    assert deadline == Deadline(text, K.UNKNOWN, [])
    assert not deadline.recognised
    assert deadline.unscheduled
    assert deadline.start is None
    assert deadline.end is None


def test_continuous_and_on_demand_are_not_unscheduled_but_a_clipped_one_is() -> None:
    assert not parse_deadline("постоянно", *SCHOOL).unscheduled
    assert not parse_deadline("по заявке", *SCHOOL).unscheduled
    outside = parse_deadline("Август 2023", *SCHOOL)
    assert outside.recognised
    assert outside.unscheduled
    assert outside.clipped


def test_deadline_is_hashable_and_exposes_start_and_end() -> None:
    deadline = parse_deadline("2 раза в год (май, декабрь)", *SCHOOL)
    assert deadline.start == date(2023, 12, 1)
    assert deadline.end == date(2024, 5, 31)
    assert hash(deadline) == hash(parse_deadline("2 раза в год (май, декабрь)", *SCHOOL))
    assert isinstance(deadline.kind, str)
    assert deadline.kind == "recurring"
    assert {kind.value for kind in DeadlineKind} == {
        "date",
        "period",
        "recurring",
        "continuous",
        "on_demand",
        "unknown",
    }


def test_normalise_intervals_serves_a_manual_setting() -> None:
    """A manual setting goes through the same clipping, ordering and merging."""
    spans = [
        (date(2024, 3, 31), date(2024, 3, 1)),  # backwards
        (date(2023, 1, 1), date(2023, 9, 15)),  # starts before the period
        (date(2023, 9, 10), date(2023, 10, 1)),  # overlaps the one before
        (date(2025, 1, 1), date(2025, 2, 1)),  # after the period
        (date(2023, 10, 2), date(2023, 10, 2)),  # touches: kept apart
    ]
    assert normalise_intervals(spans, *SCHOOL) == [
        (date(2023, 9, 1), date(2023, 10, 1)),
        (date(2023, 10, 2), date(2023, 10, 2)),
        (date(2024, 3, 1), date(2024, 3, 31)),
    ]


def test_a_reversed_period_gives_no_interval_and_does_not_raise() -> None:
    for text in ("постоянно", "Январь 2023", "ежемесячно", "сентябрь"):
        assert parse_deadline(text, date(2024, 1, 1), date(2023, 1, 1)).intervals == []


def test_ten_thousand_parses_take_well_under_a_second() -> None:
    """Every seed phrase in turn, 10 000 parses (about 0.25 s on the development machine)."""
    phrases = [(item.text, item.period) for item in ALL_SEED_CASES + WIDER_CASES]
    work = [phrases[i % len(phrases)] for i in range(10_000)]
    began = time.perf_counter()
    for text, period in work:
        parse_deadline(text, *period)
    assert time.perf_counter() - began < 1.0


# ------------------------------------------------------------------ properties

_SEED_WORDS: Final = sorted(
    {word for item in ALL_SEED_CASES + WIDER_CASES + SEMANTICS for word in item.text.split()}
    | {"–", "—", "-", ",", "\n", "(", ")", "до", "с", "по", "и", "29.02", "00.13.2023", "9999"}
)
_ALPHABET: Final = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁЙМНОСЯ0123456789-‐‑‒–—―−./,;() \n\tIVг"

texts = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=_ALPHABET, max_size=80),
    st.lists(st.sampled_from(_SEED_WORDS), max_size=12).map(" ".join),
    st.lists(st.sampled_from(_SEED_WORDS), max_size=12).map("".join),
)
periods = st.tuples(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=12 * 366),
).map(lambda pair: (pair[0], pair[0] + timedelta(days=pair[1])))


def _assert_well_formed(deadline: Deadline, text: str, period: Period) -> None:
    assert deadline.text == text
    assert isinstance(deadline.kind, DeadlineKind)
    assert isinstance(deadline.intervals, list)
    previous_end: date | None = None
    for start, end in deadline.intervals:
        assert period[0] <= start <= end <= period[1]
        # Ordered and merged: each starts after the one before has ended.
        assert previous_end is None or previous_end < start
        previous_end = end
    if deadline.kind in (K.UNKNOWN, K.ON_DEMAND):
        assert deadline.intervals == []


@settings(max_examples=600, deadline=None)
@given(texts, periods)
def test_any_text_gives_ordered_intervals_inside_the_period(text: str, period: Period) -> None:
    _assert_well_formed(parse_deadline(text, *period), text, period)


@settings(max_examples=200, deadline=None)
@given(texts, st.dates(), st.dates())
def test_any_text_and_any_period_never_raise(text: str, first: date, second: date) -> None:
    """Even the edges of ``date`` (years 1 and 9999) and a period given backwards."""
    period = (min(first, second), max(first, second))
    if period[1] - period[0] > timedelta(days=200 * 366):
        # Keep «еженедельно» over millennia out of the time budget.
        period = (period[0], period[0] + timedelta(days=200 * 366))
    _assert_well_formed(parse_deadline(text, *period), text, period)
    parse_deadline(text, period[1], period[0])


_FORMS: Final = {
    1: ("январь", "января", "январе", "Январь", "янв."),
    2: ("февраль", "февраля", "феврале", "ФЕВРАЛЬ", "фев."),
    3: ("март", "марта", "марте", "Март", "мар."),
    4: ("апрель", "апреля", "апреле", "Апрель", "апр."),
    5: ("май", "мая", "мае", "Май", "МАЙ"),
    6: ("июнь", "июня", "июне", "Июнь", "июнь"),
    7: ("июль", "июля", "июле", "Июль", "июль"),
    8: ("август", "августа", "августе", "Август", "авг."),
    9: ("сентябрь", "сентября", "сентябре", "Сентябрь", "сент."),
    10: ("октябрь", "октября", "октябре", "Октябрь", "окт."),
    11: ("ноябрь", "ноября", "ноябре", "Ноябрь", "нояб."),
    12: ("декабрь", "декабря", "декабре", "Декабрь", "дек."),
}


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(0, 4),
    st.integers(2000, 2040),
    st.sampled_from(["", " г.", " года", "г", " г"]),
    periods,
)
def test_a_month_with_its_year_is_that_month_clipped(
    number: int, form: int, when: int, suffix: str, period: Period
) -> None:
    text = f"{_FORMS[number][form]} {when}{suffix}"
    deadline = parse_deadline(text, *period)
    assert deadline.kind is K.PERIOD
    assert deadline.intervals == normalise_intervals([month(when, number)], *period)
    first, last = month(when, number)
    assert deadline.clipped == (not (period[0] <= first and last <= period[1]))


@settings(max_examples=300, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.booleans(), periods)
def test_a_milestone_is_its_day(moment: date, numeric: bool, period: Period) -> None:
    written = (
        f"{moment:%d.%m.%Y}"
        if numeric
        else f"{moment.day} {_FORMS[moment.month][1]} {moment.year} г."
    )
    deadline = parse_deadline(f"до {written}", *period)
    assert deadline.kind is K.DATE
    assert deadline.intervals == normalise_intervals([(moment, moment)], *period)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(2000, 2040),
    st.sampled_from(DASHES),
    st.sampled_from(["", " "]),
)
def test_a_range_of_months_in_one_year(
    first: int, last: int, when: int, dash: str, space: str
) -> None:
    first, last = min(first, last), max(first, last)
    text = f"{_FORMS[first][0]}{space}{dash}{space}{_FORMS[last][1]} {when} г."
    deadline = parse_deadline(text, date(2000, 1, 1), date(2040, 12, 31))
    assert (deadline.kind, deadline.intervals) == (K.PERIOD, [months(when, first, when, last)])


# Seed phrases that write their years (a yearless one depends on the period by design).
DATED: Final = [
    item
    for item in ALL_SEED_CASES + WIDER_CASES
    if item.kind in (K.PERIOD, K.DATE) and re.search(r"\d{4}", item.text)
]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(DATED), st.dates(date(2019, 1, 1), date(2025, 12, 31)), st.integers(0, 800))
def test_dated_phrases_clip_the_same_in_any_sub_period(item: Case, start: date, days: int) -> None:
    """A phrase with its years gives, in a shorter period, its intervals clipped to it."""
    period = (start, start + timedelta(days=days))
    wide = parse_deadline(item.text, date(1990, 1, 1), date(2100, 12, 31))
    assert wide.intervals
    assert parse_deadline(item.text, *period).intervals == normalise_intervals(
        wide.intervals, *period
    )
