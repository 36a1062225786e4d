"""The demo's programme indicators: seed 004's target indicators and its indicator tables.

Seed 004 (Ивантеевский район, report for 2022/23) names four groups of
indicators («Для оценки эффектов определена группа показателей»), one per
track, and gives two tables «На январь 2022 г / На январь 2023 г»: track 2
(ШНСУ, district figures with a «Примечание») and track 3 (prevention of
school failure, district and per-school figures).  They are copied here as
the document gives them.

Years: «на январь 2023 г.» falls in the school year 2022/23, stored as 2022
(see :mod:`shnor_desktop.models.indicators`); the document's wording is kept
as the first sentence of each value's note («На январь 2023 г.»), followed by
the document's remark where it has one.

Computed indicators: «Доля школ, в которых созданы центры „Точка роста“» is
computed from the passports of the risk-zone group.  For 2022/23 the
passports give 2 of 3 schools, 66,7 %, which the report rounds to 67 %: no
figure is stored.  For 2021/22 the report also says 67 %, but it also says the
centres were created in 2022, and the demo's passports of 2021/22 have none:
the report's figure is stored as an override from the document (source
«seed»), and the screens show the computed 0 % beside it.  Track 1 gives no
table; its group holds the computed «Доля ШНОР с положительной динамикой
образовательных результатов» (ВПР and ОГЭ, from the results).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from shnor_desktop.models.changelog import ChangeSet
from shnor_desktop.models.indicators import computed_key

PERIOD_NOTES: Final[Mapping[int, str]] = {
    2021: "На январь 2022 г.",
    2022: "На январь 2023 г.",
}
"""The document's wording of each school year of its tables («На январь 2022 г»)."""

REPORT: Final = "Отчёт о выполнении дорожной карты за 2022/23 учебный год"
FREQUENCY: Final = "ежегодно, на январь"


@dataclass(frozen=True)
class SeedValue:
    """One figure of a table: school year, actual, school (None: the district), remark."""

    year: int
    actual: float | None
    school_code: str | None = None
    remark: str = ""


@dataclass(frozen=True)
class SeedIndicator:
    """An indicator of the demo's programme as the document names it."""

    code: str
    name: str
    unit: str = "%"
    direction: str = "higher"
    computed: str = ""
    source_note: str = ""
    frequency: str = FREQUENCY
    values: tuple[SeedValue, ...] = ()


def _per_school(figures: Mapping[str, tuple[float, float]]) -> tuple[SeedValue, ...]:
    """Per-school figures of both years: {school code: (January 2022, January 2023)}."""
    return tuple(
        SeedValue(year, pair[i], code)
        for code, pair in figures.items()
        for i, year in enumerate((2021, 2022))
    )


_TRACK2 = f"{REPORT}, трек 2 (таблица «Результаты измерений показателей … ШНСУ»)"
_TRACK3 = f"{REPORT}, трек 3"
_WEAK = {"05": (13.0, 9.0), "06": (17.0, 10.0), "07": (16.0, 11.0)}

INDICATORS: Final[tuple[SeedIndicator, ...]] = (
    SeedIndicator(
        "1",
        "Показатели по определению динамики образовательных результатов в ШНОР",
        unit="",
        source_note=f"{REPORT}: группа показателей трека 1",
        frequency="",
    ),
    SeedIndicator(
        "1.1",
        "Доля ШНОР с положительной динамикой образовательных результатов (ВПР, ОГЭ)",
        computed=computed_key("results.positive_dynamics", ("shnor",)),
        source_note=(
            f"{REPORT}, трек 1: таблицы нет; вычисляется по результатам ВПР и ОГЭ школ группы ШНОР"
        ),
        frequency="ежегодно",
    ),
    SeedIndicator(
        "2",
        "Показатели динамики образовательных результатов в ШНСУ",
        unit="",
        source_note=f"{REPORT}: группа показателей трека 2",
        frequency="",
    ),
    SeedIndicator(
        "2.1",
        "Доля школ, в которых организована профилактика рисков снижения образовательных "
        "результатов",
        source_note=_TRACK2,
        values=(
            SeedValue(2021, 100.0),
            SeedValue(
                2022,
                100.0,
                remark="Во всех ОУ разработаны и реализуются программы перехода в эффективный "
                "режим работы (ППЭРР)",
            ),
        ),
    ),
    SeedIndicator(
        "2.2",
        "Доля школ, в которых созданы центры «Точка роста»",
        computed=computed_key("profile.tochka_rosta", ("risk",)),
        source_note=_TRACK2,
        values=(
            SeedValue(
                2021,
                67.0,
                remark="Значение из отчёта; по отчёту центры «Точка роста» в школах группы "
                "созданы в 2022 году.",
            ),
            # 2 of 3 schools by the passports of 2022/23 (66,7 %): the report's 67 %, rounded.
            SeedValue(2022, None),
        ),
    ),
    SeedIndicator(
        "2.3",
        "Доля школ, в которых устранены дефициты ресурсов",
        source_note=f"{REPORT}, трек 2: показатель назван, значения не приведены",
    ),
    SeedIndicator(
        "3",
        "Показатели по профилактике учебной неуспешности обучающихся",
        unit="",
        source_note=f"{REPORT}: группа показателей трека 3",
        frequency="",
    ),
    SeedIndicator(
        "3.1",
        "Доля школ, в которых разработаны и реализуются программы профилактики учебной "
        "неуспешности",
        source_note=_TRACK3,
        values=(SeedValue(2021, 67.0), SeedValue(2022, 100.0)),
    ),
    SeedIndicator(
        "3.2",
        "Доля обучающихся, нуждающихся в адресной поддержке",
        direction="lower",
        source_note=f"{_TRACK3}; по МОУ «ООШ с. Канаевка им. С.П. Жаркова» значений нет",
        values=_per_school({code: _WEAK[code] for code in ("05", "06")}),
    ),
    SeedIndicator(
        "3.3",
        "Доля слабоуспевающих/неуспевающих обучающихся, для которых разработаны и "
        "реализуются индивидуальные образовательные маршруты",
        direction="lower",
        source_note=_TRACK3,
        values=_per_school(_WEAK),
    ),
    SeedIndicator(
        "3.4",
        "Доля слабоуспевающих/неуспевающих обучающихся, посещающих дополнительные занятия "
        "с целью ликвидации отставания от учебной программы",
        direction="lower",
        source_note=_TRACK3,
        values=_per_school(_WEAK),
    ),
    SeedIndicator(
        "4",
        "Показатели повышения качества преподавания",
        unit="",
        source_note=f"{REPORT}: группа показателей; значения в отчёте не приведены",
        frequency="",
    ),
)


def note_of(value: SeedValue) -> str:
    """The stored note: the document's period, then its remark."""
    period = PERIOD_NOTES.get(value.year, "")
    return " ".join(part for part in (period, value.remark) if part)


def insert_indicators(
    cs: ChangeSet,
    programme_id: int,
    school_ids: Mapping[str, int],
    tick: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Write the demo's indicators and their values into the open change set; ids by code.

    A group's indicators hang under it by their codes («2.1» under «2»); the
    figures are stored with ``source = 'seed'`` (for a computed indicator that
    makes them overrides from the document).
    """
    ids: dict[str, int] = {}
    values: list[dict[str, Any]] = []
    for position, seed in enumerate(INDICATORS):
        parent_code = seed.code.rpartition(".")[0]
        ids[seed.code] = cs.insert(
            "indicator",
            {
                "programme_id": programme_id,
                "parent_id": ids[parent_code] if parent_code else None,
                "code": seed.code,
                "name": seed.name,
                "unit": seed.unit,
                "direction": seed.direction,
                "source_note": seed.source_note,
                "frequency": seed.frequency,
                "computed": seed.computed,
                "sort_order": position,
            },
        )
        for value in seed.values:
            values.append(
                {
                    "indicator_id": ids[seed.code],
                    "year": value.year,
                    "school_id": None
                    if value.school_code is None
                    else school_ids[value.school_code],
                    "plan": None,
                    "actual": value.actual,
                    "source": "seed",
                    "note": note_of(value),
                }
            )
    cs.insert_many("indicator_value", values)
    if tick is not None:
        tick()
    return ids
