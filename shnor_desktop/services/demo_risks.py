"""The demo's risk profiles: the supported schools of seed 004 in 2022/23 and 2023/24.

Seed 004 says what each supported school's difficulties rest on, but gives
no risk levels:

* МОУ «СОШ с. Бартеневка» (ШНОР, a 500+ participant of 2021/22): its low
  results are tied to the «школьный уклад» (a lowered quality of the school's
  educational and upbringing environment) and to the unformed in-school
  system of professional development; the staff lack subject and methodical
  competence (mathematics, Russian) and skills in involving parents; a
  vacancy of a primary teacher, 10,5 % of teachers aged 65 and over.
* МОУ «СОШ п. Знаменский» and «СОШ с. Ивановка» (risk zone): more children
  from families of citizens of Tajikistan who speak little Russian, unstable
  results of ГИА and ВПР.
* МОУ «ООШ с. Арбузовка» (risk zone): the building needs a capital repair
  (planned for 2024), 41 % of pupils from low-income families.
* МОУ «СОШ с. Яблоновый Гай», «ООШ с. Клевенка», «ООШ с. Канаевка»
  (prevention of school failure): small schools, low motivation to learn, the
  share of pupils needing targeted support 13–17 % (January 2022) and 9–11 %
  (January 2023), no stable internet in Клевенка; their anti-risk programmes
  are named «Высокая доля обучающихся с рисками школьной неуспешности».

So the factors each school has are the seed's (its words are in each row's
note); the levels are generated (every row is marked generated).  The
measures of 2022/23 are the measures the report says were taken; those of
2023/24 are its «траектория развития», each linked to the activity of the
demo's 2023/24 roadmap (``services/demo_roadmap.py``) whose title says the
same thing — the link names the activity by its table and number and is made
only when the activity's title holds the expected words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from shnor_desktop.models.changelog import ChangeSet
from shnor_desktop.models.risks import MeasureDraft, insert_factors, insert_risk, shipped_factors
from shnor_desktop.models.text import fold

YEARS: Final = (2022, 2023)
ROADMAP_START: Final = 2023
"""The demo's roadmap is the plan for 2023/24: the measures of 2023/24 link to it."""


@dataclass(frozen=True)
class Link:
    """A roadmap activity by its table (1: the list of measures, 2: the monitoring plan) and number.

    ``words``: what its title must say for the link to be made.
    """

    table: int
    number: str
    words: str


@dataclass(frozen=True)
class SeedMeasure:
    """An anti-risk measure, with the roadmap activity it belongs to where there is one."""

    text: str
    link: Link | None = None


@dataclass(frozen=True)
class SeedRisk:
    """A factor of a school's year: the factor's code in the shipped list, a level, the basis."""

    school: str
    year: int
    factor: str
    level: str
    note: str
    measures: tuple[SeedMeasure, ...] = ()


TRAINING: Final = Link(1, "3.2", "повышении квалификации")
SEMINARS: Final = Link(1, "3.3", "семинаров, мастер-классов")
STAFF: Final = Link(1, "3.1", "кадрового обеспечения")
REPAIR: Final = Link(1, "2.1", "капитальный ремонт")
VPR: Final = Link(2, "4", "всероссийских проверочных работ")
PARENTS: Final = Link(2, "5", "анкетирования родителей")
DIAGNOSTICS: Final = Link(2, "6", "диагностики уровня подготовки")
COMPETENCE: Final = Link(2, "8", "оценки предметных компетенций")
ADDRESS: Final = Link(2, "10", "адресных программ повышения качества")
PREPARATION: Final = Link(2, "14", "повышение качества подготовки")

_BARTENEVKA_ENV = (
    "Документ 004: низкие результаты связаны с «школьным укладом» — пониженный уровень "
    "качества школьной образовательной и воспитательной среды."
)
_BARTENEVKA_PK = (
    "Документ 004: низкая эффективность управления в школе — несформированность "
    "внутришкольной системы повышения квалификации."
)
_BARTENEVKA_COMPETENCE = (
    "Документ 004: риски недостаточной предметной и методической компетентности; проблема в "
    "предметной подготовке по математике и русскому языку, дефициты в объективной оценке."
)
_BARTENEVKA_PARENTS = (
    "Документ 004: профессиональные дефициты в вовлечении родителей в сопровождение развития детей."
)
_BARTENEVKA_STAFF = (
    "Документ 004: вакантная ставка учителя начальной школы; педагогов 65 лет и старше — 10,5%."
)
_MIGRANTS = (
    "Документ 004: растёт число детей из семей граждан Таджикистана, родители которых не "
    "говорят или плохо говорят на русском языке."
)
_UNSTABLE = (
    "Документ 004: нестабильность качества знаний по ряду предметов по результатам ГИА, ВПР."
)
_ARBUZOVKA_REPAIR = (
    "Документ 004: потребность в капитальном ремонте здания; учреждение внесено в план на "
    "2024 год по ГП РФ «Развитие образования»."
)
_ARBUZOVKA_FAMILIES = (
    "Документ 004: 41% детей из семей с доходом ниже прожиточного минимума, 23% — из неполных "
    "семей и семей в социально опасном положении."
)
_FAILURE = (
    "Документ 004: доля обучающихся, нуждающихся в адресной поддержке, на январь 2022 г. — {0}, "
    "на январь 2023 г. — {1}."
)
_MOTIVATION = "Документ 004: у обучающихся школ группы низкая мотивация к обучению."
_KLEVENKA_NET = (
    "Документ 004: отсутствие устойчивой интернет-связи и достаточной скорости для цифровых "
    "образовательных ресурсов."
)

_ADAPTIVITY = (
    "Документ 004, траектория развития на 2023 год: сопровождение школьных команд по разработке "
    "антирисковых программ по направлению «Риски низкой адаптивности учебного процесса»."
)
_ADAPTIVITY_MEASURE = SeedMeasure(
    "Сопровождение школьной команды по разработке антирисковой программы «Риски низкой "
    "адаптивности учебного процесса»"
)
_CURATOR = SeedMeasure(
    "Закрепление за школой куратора из числа администрации школ, демонстрирующих высокие "
    "результаты обучения"
)
_ANTIRISK = SeedMeasure(
    "Разработка на основе рискового профиля и реализация концептуальных документов и "
    "антирисковых программ при сопровождении школьной команды"
)
_PPERR = SeedMeasure("Реализация Программы перехода школы в эффективный режим работы (ППЭРР)")
_PREVENTION_2022 = (
    SeedMeasure("Реализация школьной программы профилактики учебной неуспешности"),
    SeedMeasure(
        "Индивидуальные образовательные маршруты для слабоуспевающих и неуспевающих обучающихся"
    ),
    SeedMeasure("Дополнительные занятия для ликвидации отставания от учебной программы"),
)
_PREVENTION_2023 = (
    SeedMeasure(
        "Антирисковая программа «Высокая доля обучающихся с рисками школьной неуспешности»"
    ),
    SeedMeasure(
        "Проведение мероприятий, направленных на повышение качества подготовки обучающихся",
        PREPARATION,
    ),
)
_RMO = SeedMeasure(
    "Методические семинары в рамках РМО по работе с обучающимися, имеющими риски школьной "
    "неуспешности"
)


def _prevention(school: str, shares: tuple[str, str]) -> tuple[SeedRisk, ...]:
    note = _FAILURE.format(*shares)
    return (
        SeedRisk(school, 2022, "R06", "высокий", note, _PREVENTION_2022),
        SeedRisk(school, 2022, "R10", "средний", _MOTIVATION, (_RMO,)),
        SeedRisk(school, 2023, "R06", "средний", note, _PREVENTION_2023),
        SeedRisk(school, 2023, "R10", "средний", _MOTIVATION, (_RMO,)),
    )


RISKS: Final = (
    # МОУ «СОШ с. Бартеневка им. П.Е. Толстова» — ШНОР.
    SeedRisk("01", 2022, "R08", "высокий", _BARTENEVKA_ENV, (_ANTIRISK, _CURATOR)),
    SeedRisk(
        "01",
        2022,
        "R05",
        "высокий",
        _BARTENEVKA_PK,
        (
            SeedMeasure(
                "Направить учителей на диагностику предметных и методических компетентностей "
                "(мера оказалась неэффективной: носила рекомендательный характер)"
            ),
        ),
    ),
    SeedRisk(
        "01",
        2022,
        "R03",
        "высокий",
        _BARTENEVKA_COMPETENCE,
        (
            SeedMeasure(
                "Сопровождение школы посредством муниципальных мероприятий (семинары по обмену "
                "опытом, педсоветы)"
            ),
            SeedMeasure(
                "Экспертиза разработанных школой документов методистами Ресурсного центра "
                "управления образованием"
            ),
        ),
    ),
    SeedRisk("01", 2022, "R09", "средний", _BARTENEVKA_PARENTS),
    SeedRisk("01", 2022, "R02", "средний", _BARTENEVKA_STAFF),
    SeedRisk(
        "01",
        2023,
        "R08",
        "средний",
        _BARTENEVKA_ENV,
        (
            SeedMeasure(
                "Реализация концепции развития и антирисковых программ (2-й год), отслеживание "
                "наступления позитивных изменений"
            ),
            _CURATOR,
        ),
    ),
    SeedRisk(
        "01",
        2023,
        "R05",
        "высокий",
        _BARTENEVKA_PK,
        (
            SeedMeasure(
                "Организация участия руководителей и педагогов школы в повышении квалификации "
                "(заявка на КПК в СОИРО)",
                TRAINING,
            ),
        ),
    ),
    SeedRisk(
        "01",
        2023,
        "R03",
        "высокий",
        _BARTENEVKA_COMPETENCE,
        (
            SeedMeasure(
                "Обязательная диагностика предметных и методических компетенций учителей "
                "математики и русского языка",
                COMPETENCE,
            ),
            SeedMeasure(
                "Семинар-практикум «Объективное оценивание. ВСОКО» (февраль 2024)", SEMINARS
            ),
        ),
    ),
    SeedRisk(
        "01",
        2023,
        "R09",
        "средний",
        _BARTENEVKA_PARENTS,
        (SeedMeasure("Анкетирование родителей по вопросам качества образования", PARENTS),),
    ),
    SeedRisk(
        "01",
        2023,
        "R02",
        "средний",
        _BARTENEVKA_STAFF,
        (SeedMeasure("Анализ кадрового обеспечения школы", STAFF),),
    ),
    # МОУ «СОШ п. Знаменский» — зона риска.
    SeedRisk(
        "02",
        2022,
        "R07",
        "высокий",
        _MIGRANTS + " Язык общения отличается у 5,5% детей; семей из Таджикистана: "
        "2021 — 6, 2022 — 10.",
        (SeedMeasure("Дополнительные занятия по русскому языку для детей-инофонов"),),
    ),
    SeedRisk("02", 2022, "R06", "средний", _UNSTABLE, (_PPERR,)),
    SeedRisk(
        "02",
        2022,
        "R02",
        "средний",
        "Документ 004: педагогов 65 лет и старше — 12,5%.",
    ),
    SeedRisk(
        "02",
        2023,
        "R07",
        "высокий",
        _MIGRANTS + " Язык общения отличается у 5,5% детей.",
        (SeedMeasure("Дополнительные занятия по русскому языку для детей-инофонов"),),
    ),
    SeedRisk(
        "02",
        2023,
        "R06",
        "средний",
        _UNSTABLE,
        (
            SeedMeasure("Разработка адресной программы повышения качества обучения", ADDRESS),
            SeedMeasure("Методическое сопровождение проведения ВПР", VPR),
        ),
    ),
    SeedRisk(
        "02",
        2023,
        "R02",
        "средний",
        "Документ 004: педагогов 65 лет и старше — 12,5%.",
        (SeedMeasure("Анализ кадрового обеспечения школы", STAFF),),
    ),
    SeedRisk("02", 2023, "R04", "средний", _ADAPTIVITY, (_ADAPTIVITY_MEASURE,)),
    # МОУ «СОШ с. Ивановка» — зона риска.
    SeedRisk("03", 2022, "R07", "средний", _MIGRANTS + " Язык общения отличается у 0,8% детей."),
    SeedRisk("03", 2022, "R06", "средний", _UNSTABLE, (_PPERR,)),
    SeedRisk(
        "03",
        2023,
        "R07",
        "средний",
        _MIGRANTS + " Язык общения отличается у 0,8% детей.",
        (SeedMeasure("Дополнительные занятия по русскому языку для детей-инофонов"),),
    ),
    SeedRisk(
        "03",
        2023,
        "R06",
        "высокий",
        _UNSTABLE + " ВПР по математике в 5 классах: качество знаний снизилось на 51%.",
        (
            SeedMeasure("Разработка адресной программы повышения качества обучения", ADDRESS),
            SeedMeasure(
                "Независимая адресная диагностика уровня подготовки обучающихся", DIAGNOSTICS
            ),
        ),
    ),
    SeedRisk("03", 2023, "R04", "средний", _ADAPTIVITY, (_ADAPTIVITY_MEASURE,)),
    # МОУ «ООШ с. Арбузовка» — зона риска.
    SeedRisk(
        "04",
        2022,
        "R01",
        "высокий",
        _ARBUZOVKA_REPAIR,
        (
            SeedMeasure(
                "Включение здания в план капитального ремонта по ГП РФ «Развитие образования»"
            ),
        ),
    ),
    SeedRisk("04", 2022, "R06", "средний", _UNSTABLE, (_PPERR,)),
    SeedRisk("04", 2022, "R09", "средний", _ARBUZOVKA_FAMILIES),
    SeedRisk(
        "04",
        2023,
        "R01",
        "высокий",
        _ARBUZOVKA_REPAIR,
        (SeedMeasure("Капитальный ремонт здания школы (2024)", REPAIR),),
    ),
    SeedRisk(
        "04",
        2023,
        "R06",
        "высокий",
        _UNSTABLE + " ОГЭ по математике: качество знаний снизилось на 55%.",
        (_PREVENTION_2023[1],),
    ),
    SeedRisk(
        "04",
        2023,
        "R09",
        "средний",
        _ARBUZOVKA_FAMILIES,
        (SeedMeasure("Анкетирование родителей по вопросам качества образования", PARENTS),),
    ),
    # Профилактика учебной неуспешности.
    *_prevention("05", ("13%", "9%")),
    *_prevention("06", ("17%", "10%")),
    SeedRisk("06", 2022, "R01", "средний", _KLEVENKA_NET),
    SeedRisk("06", 2023, "R01", "средний", _KLEVENKA_NET),
    *_prevention("07", ("16%", "11%")),
)
"""Every factor of the demo's profiles: school code, year, factor code, level, basis, measures."""


def _roadmap_activities(conn: sqlite3.Connection) -> dict[tuple[int, str], tuple[int, str]]:
    """The activities of the 2023/24 roadmap by (table, number): their ids and titles.

    A table is a top section of the programme (1, 2 in their order); its
    activities sit in it or in its blocks.
    """
    found: dict[tuple[int, str], tuple[int, str]] = {}
    rows = conn.execute(
        "SELECT a.id, a.number, a.title, ifnull(top.position, s.position) AS top_position"
        " FROM roadmap_activity a JOIN roadmap_section s ON s.id = a.section_id"
        " LEFT JOIN roadmap_section top ON top.id = s.parent_id"
        " JOIN programme p ON p.id = s.programme_id WHERE p.start_year = ?",
        (ROADMAP_START,),
    ).fetchall()
    tops = sorted({int(r["top_position"]) for r in rows})
    for r in rows:
        table = tops.index(int(r["top_position"])) + 1
        found[(table, str(r["number"]))] = (int(r["id"]), str(r["title"]))
    return found


def _activity_id(
    link: Link | None, activities: Mapping[tuple[int, str], tuple[int, str]]
) -> int | None:
    """The id of the linked activity when it is there and its title says what is expected."""
    if link is None:
        return None
    found = activities.get((link.table, link.number))
    if found is None or fold(link.words) not in fold(found[1]):
        return None
    return found[0]


def insert_demo_risks(
    cs: ChangeSet, school_ids: Mapping[str, int], tick: Callable[[], None] | None = None
) -> dict[str, int]:
    """Write the shipped list of factors and the demo's risk profiles; return factor ids by code.

    Runs after the roadmap: the measures of 2023/24 link to its activities.
    """
    factor_ids = insert_factors(cs, shipped_factors())
    # The open set's own connection: it sees the roadmap written earlier in the same set.
    activities = _roadmap_activities(cs._conn)
    for risk in RISKS:
        insert_risk(
            cs,
            school_ids[risk.school],
            risk.year,
            factor_ids[risk.factor],
            level=risk.level,
            measures=[
                MeasureDraft(m.text, _activity_id(m.link, activities)) for m in risk.measures
            ],
            generated=True,
            note=risk.note,
        )
    if tick is not None:
        tick()
    return factor_ids
